"""The indexes the pages share, computed once per build: which rules each case applied, which
derogations it opened, what cites each alinéa — and how a name, a value or a link is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from ..cases import CaseResult
from ..french import french
from ..model import (
    Alinea,
    ArticleVersion,
    Citation,
    Derogation,
    DerogationResult,
    InputField,
    Parameter,
    Rule,
    RuleBook,
    Step,
)
from .labels import alinea_label, alinea_reference, case_label, name_label, rule_key, rule_label, version_path
from .markup import code, ref


def applied_rules(run: CaseResult, book: RuleBook) -> list[Rule]:
    """The rules a case's evaluation applied, in the order of its reasoning."""
    if run.evaluation is None:
        return []
    day = run.evaluation.periode.date_reference
    found = (book.rule(rule_id, day) for rule_id in run.evaluation.explication.rule_ids())
    return [rule for rule in found if rule is not None]


def step_of(run: CaseResult, rule: Rule) -> Step | None:
    """The step of a case's explanation that a rule gave."""
    if run.evaluation is None:
        return None
    return next((step for step in run.evaluation.explication if step.regle == rule.id), None)


def derogation_result(run: CaseResult, derogation: Derogation) -> DerogationResult | None:
    """How a derogation stands in a case's evaluation."""
    if run.evaluation is None:
        return None
    return next((r for r in run.evaluation.derogations if rule_key(r.derogation) == rule_key(derogation)), None)


def derogation_citations(derogation: Derogation) -> list[Citation]:
    """Every alinéa a derogation rests on: its own, its conditions', its requirements'."""
    return list(derogation.fondements)


def input_sections(book: RuleBook) -> list[tuple[str, str, tuple[InputField, ...]]]:
    """The kinds of input files and their fields, in the order a user meets them."""
    return [
        ("Entrées", "Les champs de la description d'une commune (fichier YAML ou JSON, ou dictionnaire Python).",
         book.entrees),
        ("Champs d'un EPCI", "Les champs propres à un fichier d'EPCI (cms-law evaluate-epci), à côté de sa "
         "liste « communes » ; un champ dont la variable est une entrée des communes leur est transmis.",
         book.entrees_epci),
        ("Champs d'un contrat", "Les champs propres à un contrat proposé (cms-law check-contract), qui est "
         "un fichier d'EPCI avec ces champs en plus.", book.entrees_contrat),
        ("Champs d'une commune dans un contrat", "Ce que le contrat ajoute à chacune de ses communes.",
         book.entrees_contrat_commune),
        ("Champs d'un arrondissement", "Pour Paris, Lyon et Marseille : chaque élément de la liste "
         "« arrondissements » d'une commune du contrat.", book.entrees_arrondissement),
    ]


def all_input_fields(book: RuleBook) -> list[InputField]:
    return [field for _, _, fields in input_sections(book) for field in fields]


class Site:
    """What the generated pages show, computed once per build from the rule book and the cases."""

    def __init__(self, book: RuleBook, runs: list[CaseResult]) -> None:
        self.book = book
        self.runs = runs
        self.applied: dict[tuple[str, dt.date], list[CaseResult]] = {}
        self.opened: dict[tuple[str, dt.date], list[CaseResult]] = {}
        for run in runs:
            for key in dict.fromkeys(rule_key(rule) for rule in applied_rules(run, book)):
                self.applied.setdefault(key, []).append(run)
            for result in run.evaluation.derogations if run.evaluation else ():
                if result.ouverte:
                    self.opened.setdefault(rule_key(result.derogation), []).append(run)
        self.fields = {field.cle: field for field in book.entrees}
        self.inputs = {field.variable for field in all_input_fields(book)}

    def citing(self, version: ArticleVersion, alinea: Alinea) -> dict[str, list[Any]]:
        """The rules, derogations, parameters, conventions and input checks that cite an alinéa."""

        def cites(citations: Iterable[Citation]) -> bool:
            return any(c.version is version and c.alinea is alinea for c in citations)

        return {
            "regles": [rule for rule in self.book.regles if cites(rule.citations)],
            "derogations": [d for d in self.book.derogations if cites(derogation_citations(d))],
            "parametres": [p for p in self.book.parametres if cites(p.citations)],
            "conventions": [c for c in self.book.conventions.values() if cites(c.interprete)],
            "controles": [check for check in self.book.controles if cites(check.citations)],
        }

    @staticmethod
    def encodes(cited: Mapping[str, list[Any]]) -> bool:
        """Whether an alinéa is encoded: an input check alone only guards the input."""
        return any(cited[kind] for kind in ("regles", "derogations", "parametres", "conventions"))

    def rules_of(self, version: ArticleVersion) -> list[Rule]:
        return [rule for rule in self.book.regles if _of_version(rule, version)]

    def derogations_of(self, version: ArticleVersion) -> list[Derogation]:
        return [derogation for derogation in self.book.derogations if _of_version(derogation, version)]

    def rules_page(self, version: ArticleVersion) -> str | None:
        has_page = self.rules_of(version) or self.derogations_of(version)
        return f"{version_path(version)}-regles" if has_page else None

    def cases_of(self, rule: Rule) -> list[CaseResult]:
        return self.applied.get(rule_key(rule), [])

    def cases_opening(self, derogation: Derogation) -> list[CaseResult]:
        return self.opened.get(rule_key(derogation), [])

    def expected_leaves(self, name: str, expected: Any) -> list[tuple[str, str, Any]]:
        """``(dotted key, name, value)`` for each value an expected output holds, groups flattened."""
        if not isinstance(expected, Mapping):
            return [(name, name, expected)]
        return [
            (f"{name}.{key}", leaf, value)
            for sub, inner in expected.items()
            for key, leaf, value in self.expected_leaves(str(sub), inner)
        ]

    def kind_of(self, name: str) -> str | None:
        if name in self.inputs:
            return "entrée"
        if name in self.book.contexte:
            return "contexte"
        if name in self.book.variables:
            return "variable"
        if any(parameter.nom == name for parameter in self.book.parametres):
            return "paramètre"
        if name in self.book.conventions:
            return "convention"
        return None

    def name_link(self, name: str) -> str:
        return ref(name_label(name), name) if self.kind_of(name) else code(name)

    def output_label(self, name: str) -> str:
        for entry in self.book.sorties:
            if isinstance(entry, Mapping) and isinstance(entry.get(name), Mapping):
                return str(entry[name].get("libelle", name))
        return self.book.label_of(name)

    def shown(self, name: str, value: Any) -> str:
        """A value of a result (JSON: exact numbers as strings) as French text."""
        kind = self.book.type_of(name)
        if value is None:
            return "sans objet"
        if isinstance(value, str):
            if kind in ("taux", "points", "nombre"):
                with contextlib.suppress(ValueError, ZeroDivisionError):
                    return french(Fraction(value), kind)
            return value
        return french(value, kind)

    @staticmethod
    def given(value: Any) -> str:
        """An input value as the case file writes it (booleans and dates put in French)."""
        if isinstance(value, bool):
            return french(value, "booleen")
        if isinstance(value, dt.date):
            return french(value, "date")
        return "(vide)" if value is None else str(value)

    @staticmethod
    def parameter_values(parameter: Parameter) -> str:
        return " ; ".join(
            f"{french(dated.valeur, parameter.type)} depuis le {french(dated.depuis, 'date')}"
            for dated in parameter.valeurs
        )

    def citation_link(self, citation: Citation) -> str:
        text = alinea_reference(citation.version, citation.alinea)
        link = ref(alinea_label(citation.version, citation.alinea), text)
        return f"{link} :provenance-abregee:`{citation.provenance}`"

    def rule_link(self, rule_id: str, near: Rule) -> str:
        found = self.book.rule(rule_id, near.validite.debut) or self.book.rule(rule_id)
        return ref(rule_label(found), rule_id) if found else code(rule_id)

    def case_link(self, run: CaseResult) -> str:
        return ref(case_label(run.id), run.id)


def _of_version(item: Rule | Derogation, version: ArticleVersion) -> bool:
    """Whether a rule belongs to a version: written in a file of its article and valid within it
    (a version that takes over another's rules has them, though they are written in the other file)."""
    same_article = item.fichier.rsplit("/", 1)[0] == version.fichier.rsplit("/", 1)[0]
    return same_article and item.validite.within(version.validite)
