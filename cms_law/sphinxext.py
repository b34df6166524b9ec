"""Sphinx extension: the law, its encoding and its tests side by side, written from the rule files.

Legal experts audit the encoding on the site this extension builds, not in the Python. So that
what they read is what the engine runs, every page about the law is written when the build starts
(``builder-inited``) from the loaded :class:`~cms_law.model.RuleBook`, into ``docs/_generated/``:

- one page per article version: its alinéas in order, each with its provenance, and under each
  the rules, derogations, parameters, conventions and input checks that cite it;
- one page of rules per article version: each rule with its citations, formulas, validity and
  explanation template, the legal test cases that exercise it and an example computed by the engine
  (and each derogation with its conditions, and the cases in which it is open);
- the legal test cases, the vocabulary (inputs, variables, parameters, conventions), the coverage
  of the text by the rules (the audit's to-do list) and an index of every alinéa.

Which rules a test case exercises is learnt by evaluating it, never by reading its ``verifie``
label, which is shown as written. A broken rule file fails the build (the loader raises).

Configuration, in ``docs/conf.py``: ``cms_law_depot``, the repository root relative to the
configuration folder (default ``".."``); the legal test cases are read from its ``tests/cas``.

For hand-written pages: the directive ``cms-law-commande`` runs a ``cms-law`` command at build time
and shows its output; ``cms-law-repli`` folds its content (HTML ``<details>``); the roles
``:provenance:`guide``` and ``:provenance-abregee:`guide``` show the French label of a provenance.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
from docutils import nodes
from docutils.parsers.rst import directives
from docutils.utils import column_width
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from . import __version__, cases, cli
from .errors import CmsLawError, InputError
from .explain import french
from .loader import load_rulebook
from .model import (
    PROVENANCES,
    PROVENANCES_ABREGEES,
    Alinea,
    ArticleVersion,
    Citation,
    Derogation,
    DerogationResult,
    Fragment,
    Evaluation,
    InputField,
    Parameter,
    Period,
    Rule,
    RuleBook,
    Step,
)

#: Folder of the generated pages, inside the documentation's source folder.
GENERATED = "_generated"
#: The Légifrance page of an article, from the LEGIARTI identifier of its version.
LEGIFRANCE = "https://www.legifrance.gouv.fr/codes/article_lc/{}"
#: Case lists longer than this are folded, so that a rule's formulas stay in sight.
FOLD_AFTER = 8


# --------------------------------------------------------------------------- the test cases


@attrs.frozen
class CaseRun:
    """A legal test case (a ``LegalCase`` of the test suite) and what the engine made of it."""

    cas: Any
    evaluation: Evaluation | None
    erreur: CmsLawError | None
    #: Where the engine departs from what the case expects (empty: the case passes).
    ecarts: tuple[str, ...]
    ecarts_par_sortie: Mapping[str, tuple[str, ...]]

    @property
    def id(self) -> str:
        return str(self.cas.id)

    @property
    def fichier(self) -> str:
        return str(self.cas.fichier).removesuffix(".yaml")

    def rules(self, book: RuleBook) -> list[Rule]:
        """The rules the evaluation applied, in the order of its reasoning."""
        if self.evaluation is None:
            return []
        day = self.evaluation.periode.date_reference
        found = (book.rule(rule_id, day) for rule_id in self.evaluation.explication.rule_ids())
        return [rule for rule in found if rule is not None]

    def step_of(self, rule: Rule) -> Step | None:
        if self.evaluation is None:
            return None
        return next((step for step in self.evaluation.explication if step.regle == rule.id), None)

    def derogation_result(self, derogation: Derogation) -> DerogationResult | None:
        if self.evaluation is None:
            return None
        return next(
            (r for r in self.evaluation.derogations if rule_key(r.derogation) == rule_key(derogation)), None
        )


def run_cases(book: RuleBook, tests: Path) -> list[CaseRun]:
    """Evaluate every legal test case, and say where the engine departs from what it expects."""
    return [
        CaseRun(r.cas, r.evaluation, r.erreur, r.ecarts, r.ecarts_par_sortie)
        for r in cases.run_cases(cases.load_cases(tests / "cas"), book)
    ]


def derogation_citations(derogation: Derogation) -> list[Citation]:
    """Every alinéa a derogation rests on: its own, its conditions', its requirements'."""
    return [
        *derogation.citations,
        *(c for condition in derogation.conditions for c in condition.citations),
        *(c for requirement in derogation.exigences for c in requirement.citations),
    ]


def rule_key(rule: Rule | Derogation) -> tuple[str, dt.date]:
    """A rule's (or derogation's) identity across versions: an id may come back with another validity."""
    return rule.id, rule.validite.debut


def header_comment(path: Path) -> str:
    """The comment a case file opens with: its authors' summary of what the file checks."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(lines)


# --------------------------------------------------------------------------- names, labels, anchors


def version_path(version: ArticleVersion) -> str:
    """``cch/L302-8/2022-02-23``: the version's rule file, which also names its pages."""
    return version.fichier.removesuffix(".yaml")


def _label(*parts: str) -> str:
    return "-".join(parts).replace("/", "-").replace(" ", "-")


def alinea_label(version: ArticleVersion, alinea: Alinea) -> str:
    return _label("alinea", version_path(version), alinea.id)


def rule_label(rule: Rule) -> str:
    return _label("regle", rule.id, rule.validite.debut.isoformat())


def derogation_label(derogation: Derogation) -> str:
    return _label("derogation", derogation.id, derogation.validite.debut.isoformat())


def name_label(name: str) -> str:
    return _label("nom", name)


def case_label(case_id: str) -> str:
    return _label("cas", case_id)


def source_label(version: ArticleVersion, source: str) -> str:
    return _label("source", version_path(version), source)


def alinea_title(version: ArticleVersion, alinea: Alinea) -> str:
    """How a reader designates the alinéa within its article: ``VII, 1°``, ``I, al. 2``, ``VI (suite)``.

    The short citation form of explanations, without the article; an alinéa split by provenance
    (``VI.suite``, ``I.al4.fin``) keeps the last part of its id, or it would read like its first part.
    """
    title = Citation(version, alinea).court.removeprefix(version.article).removeprefix(", ")
    if not title and alinea.alinea is not None:
        title = f"al. {alinea.alinea}"
    last = alinea.id.split(".")[-1]
    if last not in (alinea.section, alinea.item, f"al{alinea.alinea}"):
        title = f"{title} ({last})" if title else last
    return title


def alinea_reference(version: ArticleVersion, alinea: Alinea) -> str:
    return f"{version.article}, {alinea_title(version, alinea)}"


def version_title(version: ArticleVersion) -> str:
    return f"Article {version.article} — version du {french(version.validite.debut, 'date')}"


def period_text(period: Period) -> str:
    if period.fin is None:
        return f"depuis le {french(period.debut, 'date')} (aucune fin connue)"
    return f"du {french(period.debut, 'date')} au {french(period.fin, 'date')}"


# --------------------------------------------------------------------------- reStructuredText

_MARKUP = re.compile(r"([\\`*_|\[\]<>])")


def _escaped(text: str) -> str:
    return _MARKUP.sub(r"\\\1", " ".join(text.split()))


def esc(text: object) -> str:
    """Text as reST shows it verbatim, on one line: no inline markup, no list or section recognised."""
    flat = _escaped(str(text))
    return flat if not flat or flat.startswith("\\") else "\\" + flat


def paragraphs(text: str) -> list[str]:
    """A text of a rule file (folded YAML: one line per paragraph) as escaped reST paragraphs."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if paragraph.strip():
            lines += [esc(paragraph), ""]
    return lines


def ref(label: str, text: str) -> str:
    return f":ref:`{_escaped(text)} <{label}>`"


def doc(name: str, text: str) -> str:
    return f":doc:`{_escaped(text)} </{GENERATED}/{name}>`"


def code(text: str) -> str:
    return f"``{' '.join(text.split())}``"


def link(url: str, text: str) -> str:
    return f"`{_escaped(text)} <{url}>`__"


def heading(text: str, underline: str, overline: bool = False) -> list[str]:
    title = esc(text)
    bar = underline * (column_width(title) + 2)
    return [*([bar] if overline else []), title, bar, ""]


def target(label: str) -> list[str]:
    return [f".. _{label}:", ""]


def indent(lines: Iterable[str], by: int = 3) -> list[str]:
    return [" " * by + line if line else "" for line in lines]


def container(css_class: str, content: list[str]) -> list[str]:
    return [f".. container:: {css_class}", "", *indent(content), ""]


def table(
    header: Sequence[str], rows: Sequence[Sequence[Sequence[str]]], widths: Sequence[int] = ()
) -> list[str]:
    """A ``list-table``; a cell is a line of reST (a string) or a list of lines."""
    lines = [".. list-table::", "   :header-rows: 1", "   :class: cms-law"]
    if widths:
        lines.append(f"   :widths: {' '.join(str(width) for width in widths)}")
    lines.append("")
    for row in [list(header), *rows]:
        for index, cell in enumerate(row):
            cell_lines = ([cell] if isinstance(cell, str) else list(cell)) or ["—"]
            lines.append(("   * - " if index == 0 else "     - ") + cell_lines[0])
            lines += indent(cell_lines[1:], 7)
    return [*lines, ""]


def line_block(lines: Iterable[str]) -> list[str]:
    return [f"| {line}" for line in lines] or ["—"]


def folded(summary: str, content: list[str], opened: bool) -> list[str]:
    return [f".. cms-law-repli:: {summary}", *(["   :ouvert:"] if opened else []), "", *indent(content), ""]


def formula_block(rule: Rule) -> list[str]:
    """A rule's clauses as in its file (``si …``, ``alors name = …``), continuation lines aligned."""

    def clause(keyword: str, prefix: str, source: str) -> list[str]:
        first, *rest = source.strip().splitlines()
        head = f"{keyword:<6}{prefix}"
        return [head + first.strip(), *(" " * len(head) + line.strip() for line in rest)]

    lines = clause("si", "", rule.si.source) if rule.si else []
    for name, formula in rule.alors.items():
        lines += clause("alors", f"{name} = ", formula.source)
    return [".. code-block:: none", "   :class: formule", "", *indent(lines), ""]


# --------------------------------------------------------------------------- the site


class Site:
    """What the generated pages show, computed once per build from the rule book and the cases."""

    def __init__(self, book: RuleBook, runs: list[CaseRun]) -> None:
        self.book = book
        self.runs = runs
        self.applied: dict[tuple[str, dt.date], list[CaseRun]] = {}
        self.opened: dict[tuple[str, dt.date], list[CaseRun]] = {}
        for run in runs:
            for key in dict.fromkeys(rule_key(rule) for rule in run.rules(book)):
                self.applied.setdefault(key, []).append(run)
            for result in run.evaluation.derogations if run.evaluation else ():
                if result.ouverte:
                    self.opened.setdefault(rule_key(result.derogation), []).append(run)
        self.fields = {field.cle: field for field in book.entrees}
        self.inputs = {field.variable for field in all_input_fields(book)}

    # ----- what cites what

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
        return [rule for rule in self.book.regles if rule.fichier == version.fichier]

    def derogations_of(self, version: ArticleVersion) -> list[Derogation]:
        return [derogation for derogation in self.book.derogations if derogation.fichier == version.fichier]

    def rules_page(self, version: ArticleVersion) -> str | None:
        has_page = self.rules_of(version) or self.derogations_of(version)
        return f"{version_path(version)}-regles" if has_page else None

    def cases_of(self, rule: Rule) -> list[CaseRun]:
        return self.applied.get(rule_key(rule), [])

    def cases_opening(self, derogation: Derogation) -> list[CaseRun]:
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

    # ----- names and values as a reader writes them

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

    # ----- links

    def citation_link(self, citation: Citation) -> str:
        text = alinea_reference(citation.version, citation.alinea)
        link = ref(alinea_label(citation.version, citation.alinea), text)
        return f"{link} :provenance-abregee:`{citation.provenance}`"

    def rule_link(self, rule_id: str, near: Rule) -> str:
        found = self.book.rule(rule_id, near.validite.debut) or self.book.rule(rule_id)
        return ref(rule_label(found), rule_id) if found else code(rule_id)

    def case_link(self, run: CaseRun) -> str:
        return ref(case_label(run.id), run.id)

    # ----- blocks shared by several pages

    def rule_body(self, rule: Rule, version: ArticleVersion) -> list[str]:
        """What a rule says: its clauses as in its file, validity, priorities, explanation template."""
        lines = formula_block(rule)
        if rule.validite != version.validite:
            lines.append(f":En vigueur: {esc(period_text(rule.validite))}")
        if rule.exception_de:
            bases = ", ".join(self.rule_link(base, rule) for base in rule.exception_de)
            lines.append(f":Exception de: {bases} (s'applique à sa place)")
        exceptions = [
            other
            for other in self.book.regles
            if rule.id in other.exception_de and other.validite.overlaps(rule.validite)
        ]
        if exceptions:
            lines.append(
                f":Exceptions: {', '.join(ref(rule_label(other), other.id) for other in exceptions)}"
            )
        lines.append(f":Explication (modèle): {esc(rule.explication)}")
        return [*lines, ""]

    def rule_card(self, rule: Rule, version: ArticleVersion) -> list[str]:
        count = len(self.cases_of(rule))
        cases = f"{count} cas de test" if count else "aucun cas de test"
        head = f"**Règle** {ref(rule_label(rule), rule.id)} — {esc(rule.titre)} ({cases})"
        return container("regle", [head, "", *self.rule_body(rule, version)])

    def derogation_body(self, derogation: Derogation, version: ArticleVersion) -> list[str]:
        """What a derogation requires: its conditions as in its file, and what the input cannot show."""
        rows = [
            [
                esc(condition.libelle),
                code(condition.condition.source),
                " ; ".join(self.citation_link(c) for c in condition.citations),
            ]
            for condition in derogation.conditions
        ]
        lines = [
            ".. rubric:: Conditions",
            "",
            *table(["Condition", "Expression", "Cite"], rows, [45, 30, 25]),
        ]
        if derogation.exigences:
            rows = [
                [esc(requirement.texte), " ; ".join(self.citation_link(c) for c in requirement.citations)]
                for requirement in derogation.exigences
            ]
            lines += [".. rubric:: Exigences que l'entrée ne peut pas montrer", ""]
            lines += table(["Exigence", "Cite"], rows, [70, 30])
        if derogation.validite != version.validite:
            lines.append(f":En vigueur: {esc(period_text(derogation.validite))}")
        if derogation.plancher:
            lines.append(f":Plancher: {self.name_link(derogation.plancher)}")
        if derogation.periodes_restantes:
            lines.append(f":Périodes restantes: {self.name_link(derogation.periodes_restantes)}")
        lines += [
            f":Explication si ouverte (modèle): {esc(derogation.explication_ouverte)}",
            f":Explication sinon (modèle): {esc(derogation.explication_fermee)}",
        ]
        return [*lines, ""]

    def derogation_card(self, derogation: Derogation, version: ArticleVersion) -> list[str]:
        count = len(self.cases_opening(derogation))
        cases = f"ouverte dans {count} cas de test" if count else "ouverte dans aucun cas de test"
        link = ref(derogation_label(derogation), derogation.id)
        head = f"**Dérogation** {link} — {esc(derogation.titre)} ({cases})"
        return container("regle derogation", [head, "", *self.derogation_body(derogation, version)])

    def encoding_of(self, version: ArticleVersion, alinea: Alinea) -> list[str]:
        """Under an alinéa: everything in the rule files that cites it."""
        cited = self.citing(version, alinea)
        lines: list[str] = []
        for rule in cited["regles"]:
            lines += self.rule_card(rule, version)
        for derogation in cited["derogations"]:
            lines += self.derogation_card(derogation, version)
        for parameter in cited["parametres"]:
            line = (
                f"**Paramètre** {ref(name_label(parameter.nom), parameter.nom)} — {esc(parameter.titre)} : "
                f"{esc(self.parameter_values(parameter))}"
            )
            lines += container("parametre", [line])
        for convention in cited["conventions"]:
            line = (
                f"**Convention** {ref(name_label(convention.nom), convention.nom)} — {esc(convention.titre)}"
                f" ; par défaut : {code(convention.defaut)} ({esc(convention.options[convention.defaut])})"
            )
            lines += container("convention", [line])
        for check in cited["controles"]:
            lines += container(
                "controle",
                [
                    f"**Contrôle de l'entrée** {code(check.champ)} : {code(check.condition.source)}",
                    "",
                    f"sinon l'entrée est refusée : {esc(check.message)}",
                ],
            )
        if not self.encodes(cited):
            lines += container(
                "non-encode",
                [
                    "*Aucune règle, aucune dérogation, aucun paramètre ni aucune convention ne cite cet"
                    " alinéa* "
                    f"(voir {doc('couverture', 'la couverture')})."
                ],
            )
        return lines

    def names_table(self, rule: Rule, step: Step | None) -> list[str]:
        """The names a rule reads and concludes, their meaning and, if an example ran, its values."""
        rows = []
        for name in [*sorted(rule.reads), *rule.alors]:
            role = "conclu" if name in rule.alors else "lu"
            row = [self.name_link(name), esc(self.book.label_of(name)), f"{self.kind_of(name)}, {role}"]
            if step is not None:
                values = step.valeurs if name in rule.alors else step.entrees
                row.append(esc(french(values.get(name), self.book.type_of(name))) if name in values else "—")
            rows.append(row)
        header = ["Nom", "Signification", "Nature"] + (["Valeur dans l'exemple"] if step else [])
        return table(header, rows, [22, 40, 18, 20] if step else [25, 50, 25])

    def example(self, run: CaseRun | None, sentence: str | None, absent: str) -> list[str]:
        """A case the engine evaluated at build time, and the sentence it wrote for the rule."""
        lines = [".. rubric:: Exemple calculé par le moteur", ""]
        if run is None or sentence is None:
            return [*lines, f"*{absent}* (voir {doc('couverture', 'la couverture')}).", ""]
        conditions = self.case_conditions(run)
        return [
            *lines,
            f"Cas {self.case_link(run)}"
            + (f" ({conditions})" if conditions else "")
            + f" — {esc(run.cas.description)} Explication produite :",
            "",
            *container("exemple", [esc(sentence)]),
        ]

    def cases_table(self, runs: list[CaseRun], title: str) -> list[str]:
        """The cases, their inputs and what they expect; folded when long."""
        if not runs:
            return []
        rows = [
            [
                self.case_link(run)
                + (f" ({self.case_conditions(run)})" if self.case_conditions(run) else ""),
                self.verifie_links(run),
                self.case_inputs(run),
                self.case_expected(run),
            ]
            for run in runs
        ]
        return [
            f".. rubric:: {title}",
            "",
            *folded(
                f"{len(runs)} cas de test : entrées et résultats attendus",
                table(["Cas", "Vérifie", "Entrées", "Attendu"], rows, [22, 16, 31, 31]),
                opened=len(runs) <= FOLD_AFTER,
            ),
        ]

    # Plain text, not code: a rule's case table can have a hundred rows, and each markup weighs.
    def case_inputs(self, run: CaseRun) -> list[str]:
        return line_block(esc(f"{key} : {self.given(value)}") for key, value in run.cas.entree.items())

    def case_expected(self, run: CaseRun) -> list[str]:
        return line_block(
            esc(f"{key} : {self.shown(leaf, value)}")
            for name, expected in run.cas.attendu.items()
            for key, leaf, value in self.expected_leaves(name, expected)
        )

    def verifie_links(self, run: CaseRun) -> str:
        """What a case says it checks, each citation linked to its alinéa when one alone has that form.

        Only shown: which rules a case exercises is learnt by evaluating it, not from this label.
        """
        day = run.evaluation.periode.date_reference if run.evaluation else None
        shown = []
        for citation in run.cas.verifie:
            found = [
                (version, alinea)
                for version in self.book.articles
                if day is None or version.validite.contains(day)
                for alinea in version.alineas
                if Citation(version, alinea).court == citation
            ]
            shown.append(ref(alinea_label(*found[0]), citation) if len(found) == 1 else esc(citation))
        return " ; ".join(shown)

    @staticmethod
    def case_conditions(run: CaseRun) -> str:
        """The period and the conventions a case is evaluated with, when not the defaults."""
        parts = [f"période {run.cas.periode}"] if run.cas.periode else []
        parts += [f"{name}={option}" for name, option in run.cas.conventions.items()]
        return esc(", ".join(parts)) if parts else ""


# --------------------------------------------------------------------------- the pages


def article_versions(book: RuleBook) -> dict[str, list[ArticleVersion]]:
    """The versions of each article, articles in the code's order (L. 302-8 before L. 302-8-1)."""

    def code_order(version: ArticleVersion) -> tuple[str, list[int]]:
        return re.sub(r"[^A-Z]", "", version.article), [int(n) for n in re.findall(r"\d+", version.article)]

    grouped: dict[str, list[ArticleVersion]] = {}
    for version in sorted(book.articles, key=code_order):
        grouped.setdefault(version.article, []).append(version)
    return {
        article: sorted(versions, key=lambda v: v.validite.debut) for article, versions in grouped.items()
    }


def summary_page(site: Site) -> list[str]:
    """Every alinéa of every version, one link each, grouped by section: the home page's table."""
    rows = []
    for article, versions in article_versions(site.book).items():
        for version in versions:
            by_section: dict[str | None, list[Alinea]] = {}
            for alinea in version.alineas:
                by_section.setdefault(alinea.section, []).append(alinea)
            cell = []
            for section, alineas in by_section.items():
                # Within its section's line, an alinéa is named by what follows the section: « 1° ».
                shown = []
                for alinea in alineas:
                    rest = alinea_title(version, alinea).removeprefix(section or "").lstrip(", ")
                    shown.append(
                        rest
                        or (f"al. {alinea.alinea}" if alinea.alinea is not None else section or alinea.id)
                    )
                links = [ref(alinea_label(version, a), text) for a, text in zip(alineas, shown, strict=True)]
                if section and shown == [section]:
                    cell.append(links[0])
                else:
                    cell.append((f"**{esc(section)}** : " if section else "") + " · ".join(links))
            rules_page = site.rules_page(version)
            rules = doc(rules_page, f"{len(site.rules_of(version))} règles") if rules_page else "aucune règle"
            rows.append(
                [
                    f"**{esc(article)}**",
                    [
                        doc(version_path(version), f"version du {french(version.validite.debut, 'date')}"),
                        "",
                        esc(period_text(version.validite)),
                    ],
                    line_block(cell),
                    rules,
                ]
            )
    return table(["Article", "Version", "Alinéas (un lien chacun)", "Encodage"], rows, [12, 24, 50, 14])


def index_page(site: Site) -> list[str]:
    book = site.book
    lines = [
        *target("cms-law-textes"),
        *heading("La loi et son encodage", "=", overline=True),
        "Chaque version d'article a deux pages : son texte, alinéa par alinéa, avec la provenance de "
        "chaque alinéa et, sous chacun, les règles, paramètres et conventions qui le citent ; puis "
        "ses règles en détail, avec les cas de test qui les appliquent. Tout est écrit à la "
        f"construction du site depuis les fichiers de ``rules/`` (cms-law {__version__}).",
        "",
        ".. include:: sommaire.inc",
        "",
        *heading("Régimes encodés", "-"),
        "Un régime est l'état du droit encodé entre deux dates ; chaque résultat nomme le sien.",
        "",
    ]
    for regime in book.regimes:
        lines.append(f"- {code(regime.id)} : {esc(regime.titre)}, {esc(period_text(regime.validite))}.")
    lines += ["", *target("cms-law-regles"), *heading("Toutes les règles et dérogations", "-")]
    lines += [
        "L'identifiant d'une règle est celui que cite chaque étape d'une explication.",
        "",
        *table(
            ["Règle", "Titre", "Cite", "En vigueur"],
            [
                [
                    ref(rule_label(rule), rule.id),
                    esc(rule.titre),
                    " ; ".join(site.citation_link(c) for c in rule.citations),
                    esc(period_text(rule.validite)),
                ]
                for rule in book.regles
            ],
            [24, 34, 24, 18],
        ),
    ]
    if book.derogations:
        lines += table(
            ["Dérogation", "Titre", "Cite", "En vigueur"],
            [
                [
                    ref(derogation_label(d), d.id),
                    esc(d.titre),
                    " ; ".join(site.citation_link(c) for c in d.citations),
                    esc(period_text(d.validite)),
                ]
                for d in book.derogations
            ],
            [24, 34, 24, 18],
        )
    lines += [".. toctree::", "   :hidden:", ""]
    for versions in article_versions(book).values():
        for version in versions:
            lines.append(f"   {version_path(version)}")
            if site.rules_page(version):
                lines.append(f"   {site.rules_page(version)}")
    return [*lines, ""]


def version_page(site: Site, version: ArticleVersion) -> list[str]:
    """The text of one article version, alinéa by alinéa, each followed by what encodes it."""
    law = version.loi
    precision = "date de début certaine" if version.debut_precision == "certaine" else "date de début inférée"
    rules_page = site.rules_page(version)
    law_text = "non identifiée"
    if law is not None:
        law_text = esc(law.titre) + (f" (« {esc(law.nom_usuel)} »)" if law.nom_usuel else "")
    lines = [
        *heading(version_title(version), "=", overline=True),
        f":Code: {esc(version.code)}",
        f":En vigueur: {esc(period_text(version.validite))} — {precision}",
        f":Loi: {law_text}",
        ":Légifrance: "
        + (
            link(LEGIFRANCE.format(version.legifrance), f"article {version.article} ({version.legifrance})")
            if version.legifrance
            else "identifiant non connu : pas de lien"
        ),
        f":Fichier de règles: {code('rules/' + version.fichier)}",
        ":Encodage: "
        + (
            doc(rules_page, f"les {len(site.rules_of(version))} règles de cette version en détail")
            if rules_page
            else "aucune règle"
        ),
        "",
    ]
    if version.note:
        lines += [".. admonition:: Note sur cette version", "", *indent(paragraphs(version.note))]
    for alinea in version.alineas:
        lines += target(alinea_label(version, alinea))
        lines += heading(alinea_reference(version, alinea), "-")
        facts = [f":provenance:`{alinea.provenance}`"]
        if alinea.source:
            facts.append(f"source : {ref(source_label(version, alinea.source), alinea.source)}")
        if alinea.texte and not alinea.complet:
            facts.append("**extrait incomplet**")
        if version.legifrance:
            facts.append(link(LEGIFRANCE.format(version.legifrance), "texte sur Légifrance"))
        facts.append(f"identifiant dans les règles : {code(alinea.id)}")
        lines += [" · ".join(facts), ""]
        if alinea.texte:
            lines += container("texte-loi", paragraphs(alinea.texte))
        else:
            lines += container("texte-loi non-disponible", ["*Texte non disponible.*"])
        if alinea.note:
            lines += container("note-alinea", [f"**Note.** {esc(alinea.note)}"])
        lines += [".. rubric:: Encodage", "", *site.encoding_of(version, alinea)]
    if version.sources:
        lines += heading("Sources du texte", "-")
        for source, description in version.sources.items():
            lines += [*target(source_label(version, source)), f"**{esc(source)}** — {esc(description)}", ""]
    return lines


def rules_page(site: Site, version: ArticleVersion) -> list[str]:
    """Each rule and derogation of a version: what it says, its test cases, an example by the engine."""
    lines = [
        *heading(
            f"Règles de l'article {version.article} — version du {french(version.validite.debut, 'date')}",
            "=",
            overline=True,
        ),
        f"Ces règles encodent {doc(version_path(version), 'le texte de cette version')} "
        f"(fichier {code('rules/' + version.fichier)}). Les cas de test qui appliquent chaque règle ont été "
        "trouvés en les évaluant lors de la construction du site ; l'exemple est calculé par le moteur "
        "à ce moment-là.",
        "",
    ]
    for rule in site.rules_of(version):
        runs = site.cases_of(rule)
        example = next((run for run in runs if run.cas.attendu is not None), None)
        step = example.step_of(rule) if example else None
        lines += [*target(rule_label(rule)), *heading(f"{rule.id} — {rule.titre}", "-")]
        lines += [f":Cite: {' ; '.join(site.citation_link(citation) for citation in rule.citations)}", ""]
        lines += site.rule_body(rule, version)
        lines += [".. rubric:: Noms employés", "", *site.names_table(rule, step)]
        lines += site.example(
            example, step.texte if step else None, "Aucun cas de test n'applique cette règle"
        )
        lines += site.cases_table(runs, "Cas de test qui appliquent cette règle")
    for derogation in site.derogations_of(version):
        runs = site.cases_opening(derogation)
        example = next((run for run in runs if run.cas.attendu is not None), None)
        result = example.derogation_result(derogation) if example else None
        lines += [
            *target(derogation_label(derogation)),
            *heading(f"Dérogation {derogation.id} — {derogation.titre}", "-"),
        ]
        lines += [
            f":Type: {code(derogation.type)}",
            f":Cite: {' ; '.join(site.citation_link(citation) for citation in derogation.citations)}",
            "",
        ]
        lines += site.derogation_body(derogation, version)
        lines += site.example(
            example, result.texte if result else None, "Aucun cas de test n'ouvre cette dérogation"
        )
        lines += site.cases_table(runs, "Cas de test où elle est ouverte")
    return lines


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


def input_table(fields: tuple[InputField, ...], anchored: set[str]) -> list[str]:
    """One row per field; a variable gets its link target once, where it first appears."""
    rows = []
    for field in fields:
        bounds = [
            f"défaut : {french(field.defaut, field.type)}" if field.defaut is not None else "",
            f"min. : {french(field.minimum, field.type)}" if field.minimum is not None else "",
            f"max. : {french(field.maximum, field.type)}" if field.maximum is not None else "",
        ]
        key = code(field.cle) + (f" (variable {code(field.variable)})" if field.variable != field.cle else "")
        anchor = [] if field.variable in anchored else target(name_label(field.variable))
        anchored.add(field.variable)
        rows.append(
            [
                [*anchor, key],
                esc(field.libelle),
                field.type,
                "oui" if field.requis else "non",
                esc(", ".join(b for b in bounds if b)) or "—",
                esc(field.description),
            ]
        )
    return table(["Clé", "Libellé", "Type", "Requis", "Défaut, bornes", "Description"], rows, [18, 18, 8, 7, 12, 37])


def vocabulary_page(site: Site) -> list[str]:
    book = site.book
    producers: dict[str, list[Rule]] = {}
    for rule in book.regles:
        for name in rule.alors:
            producers.setdefault(name, []).append(rule)
    lines = [
        *heading("Vocabulaire", "=", overline=True),
        f"Les noms qu'emploient les règles : données d'entrée, contexte, valeurs calculées "
        f"({code('rules/vocabulaire.yaml')}), paramètres et conventions (fichiers des articles).",
        "",
    ]
    anchored: set[str] = set()
    for title, intro, fields in input_sections(book):
        if fields:
            lines += [*heading(title, "-"), intro, ""]
            lines += input_table(fields, anchored)
    lines += [*heading("Contexte", "-"), "Les valeurs que le moteur déduit de la période évaluée.", ""]
    lines += table(
        ["Nom", "Libellé", "Type"],
        [[[*target(name_label(v.nom)), code(v.nom)], esc(v.libelle), v.type] for v in book.contexte.values()],
        [30, 55, 15],
    )
    lines += [*heading("Valeurs calculées", "-"), "Les valeurs que concluent les règles.", ""]
    rows = [
        [
            [*target(name_label(v.nom)), code(v.nom)],
            esc(v.libelle),
            v.type,
            ", ".join(ref(rule_label(rule), rule.id) for rule in producers.get(v.nom, [])) or "—",
        ]
        for v in book.variables.values()
        if v.nom not in site.inputs
    ]
    lines += table(["Nom", "Libellé", "Type", "Conclue par"], rows, [24, 34, 8, 34])
    lines += [
        *heading("Paramètres", "-"),
        "Les chiffres que fixe la loi, avec leurs valeurs datées ; un chiffre repris par plusieurs "
        "versions d'un article a une ligne par version.",
        "",
    ]
    rows = []
    for parameter in sorted(book.parametres, key=lambda p: (p.nom, p.validite.debut)):
        first = not rows or rows[-1][0][-1] != code(parameter.nom)
        rows.append(
            [
                [*(target(name_label(parameter.nom)) if first else []), code(parameter.nom)],
                esc(parameter.titre),
                esc(site.parameter_values(parameter)),
                esc(period_text(parameter.validite)),
                " ; ".join(site.citation_link(c) for c in parameter.citations),
            ]
        )
    lines += table(["Nom", "Titre", "Valeurs", "Version de l'article", "Cite"], rows, [22, 28, 16, 16, 18])
    lines += [
        *heading("Conventions", "-"),
        "Là où le texte est muet, cms-law fait un choix explicite, que l'utilisateur peut changer : "
        f"{code('--convention NOM=OPTION')} en ligne de commande,"
        f" {code('conventions={NOM: OPTION}')} en Python.",
        "",
    ]
    for convention in book.conventions.values():
        lines += [
            *target(name_label(convention.nom)),
            *heading(f"{convention.nom} — {convention.titre}", "~"),
        ]
        lines += [
            f":Interprète: {' ; '.join(site.citation_link(c) for c in convention.interprete)}",
            f":Justification: {esc(convention.justification)}",
            f":Fichier de règles: {code('rules/' + convention.fichier)}",
            "",
        ]
        lines += table(
            ["Option", "Signification", "Par défaut"],
            [
                [code(option), esc(text), "oui" if option == convention.defaut else ""]
                for option, text in convention.options.items()
            ],
            [20, 65, 15],
        )
    return lines + summaries_section(book)


#: What each summary sentence of ``syntheses`` is for, as the vocabulary page says it.
SUMMARY_USES = {
    "commune": f"la colonne {code('resume')} de {code('cms-law batch')}, après « Nom (code), période : »",
    "membre_epci": f"la ligne de chaque commune dans le texte de {code('cms-law evaluate-epci')}",
}


def _fragment_cells(fragment: Fragment) -> list[str]:
    """A fragment of a summary sentence as table cells: its condition, its text."""
    return [code(fragment.si.source) if fragment.si else "toujours", code(fragment.texte)]


def summaries_section(book: RuleBook) -> list[str]:
    """The summary sentences and the batch totals of ``syntheses``: presentation, not law."""
    lines = [
        *heading("Résumés", "-"),
        "Comment les résultats se résument : ce n'est pas la loi mais sa présentation, écrite dans "
        f"{code('rules/vocabulaire.yaml')} ({code('syntheses')}). Une phrase assemble, dans l'ordre, les "
        f"morceaux dont la condition est vraie ; {code('{nom.motif}')} est le titre de la règle qui a "
        f"établi la valeur, {code('{nom.citation}')} sa citation.",
        "",
    ]
    for use, fragments in book.syntheses.items():
        lines += [f"{code(use)} : {SUMMARY_USES.get(use, use)}.", ""]
        lines += table(
            ["Condition", "Texte"],
            [_fragment_cells(f) for f in fragments],
            [35, 65],
        )
    lines += [f"{code('bilan')} : les totaux affichés à la fin de {code('cms-law batch')}.", ""]
    rows = [
        [
            code(total.cle),
            esc(total.libelle),
            f"nombre de communes où {code(total.compte.source)}" if total.compte else f"somme de {code(total.somme or '')}",
            esc(total.unite or ""),
        ]
        for total in book.bilan
    ]
    lines += table(["Clé", "Libellé", "Calcul", "Unité"], rows, [22, 28, 35, 15])
    history = book.historique
    if history is None:
        return lines
    lines += [
        f"{code('historique')} : ce que {code('cms-law history')} montre de chaque période — colonnes CSV "
        f"et JSON {', '.join(code(c) for c in history.colonnes)} ; barres du graphique : "
        f"{code(history.valeur_graphique)} ; tableau en français :",
        "",
    ]
    rows = [
        [esc(column.libelle), *_fragment_cells(f)]
        for column in history.tableau
        for f in column.phrase
    ]
    rows += [["étiquette d'une barre", *_fragment_cells(f)] for f in history.etiquette]
    return lines + table(["Colonne", "Condition", "Texte"], rows, [20, 35, 45])


def cases_index_page(site: Site, folder: Path) -> list[str]:
    files = list(dict.fromkeys(run.fichier for run in site.runs))
    lines = [
        *heading("Cas de test juridiques", "=", overline=True),
        f"Les {len(site.runs)} cas de {code('tests/cas/')} : une commune, la période et les conventions "
        "éventuelles, le résultat attendu (ou l'erreur attendue). Chacun a été évalué par le moteur à la "
        "construction du site ; le résultat calculé est montré à côté de l'attendu.",
        "",
    ]
    rows = [
        [
            doc(f"cas/{name}", name),
            esc(header_comment(folder / f"{name}.yaml")) or "—",
            str(sum(1 for run in site.runs if run.fichier == name)),
        ]
        for name in files
    ]
    lines += table(["Fichier", "Ce qu'il vérifie (en-tête du fichier)", "Cas"], rows, [25, 65, 10])
    lines += [".. toctree::", "   :hidden:", "", *(f"   {name}" for name in files), ""]
    return lines


def case_page(site: Site, name: str, folder: Path) -> list[str]:
    """The cases of one file: each with its inputs, what it expects, and what the engine gave."""
    lines = [
        *heading(f"Cas de test : {name}", "=", overline=True),
        f":Fichier: {code(f'tests/cas/{name}.yaml')}",
        "",
        *paragraphs(header_comment(folder / f"{name}.yaml")),
    ]
    for run in (run for run in site.runs if run.fichier == name):
        cas = run.cas
        lines += [*target(case_label(run.id)), *heading(run.id, "-"), *paragraphs(cas.description)]
        lines += [
            f":Vérifie: {site.verifie_links(run)}",
            f":Période: {esc(cas.periode or 'celle des règles, par défaut')}",
            *([f":Conventions: {site.case_conditions(run)}"] if cas.conventions else []),
            f":Résultat du moteur: {'conforme' if not run.ecarts else '**NON CONFORME**'}",
            "",
            ".. rubric:: Entrées",
            "",
        ]
        lines += table(
            ["Champ", "Libellé", "Valeur"],
            [
                [
                    code(str(key)),
                    esc(site.fields[key].libelle) if key in site.fields else "*champ inconnu*",
                    esc(site.given(value)),
                ]
                for key, value in cas.entree.items()
            ],
            [30, 45, 25],
        )
        if cas.erreur is not None:
            refused = (
                line_block(f"{code(p.champ)} : {esc(p.message)}" for p in run.erreur.problemes)
                if isinstance(run.erreur, InputError)
                else [esc(run.erreur or "aucune erreur : l'entrée a été acceptée")]
            )
            lines += [".. rubric:: Erreur attendue", ""]
            lines += table(
                ["Champ que l'erreur doit nommer", "Erreurs données par le moteur"],
                [[code(str(cas.erreur.get("champ"))), refused]],
                [30, 70],
            )
            continue
        lines += [".. rubric:: Résultat attendu", ""]
        rows = []
        for output, expected in cas.attendu.items():
            leaves = site.expected_leaves(output, expected)
            shown = [
                esc(f"{key.removeprefix(output + '.')} : {site.shown(leaf, value)}")
                for key, leaf, value in leaves
            ]
            departures = run.ecarts_par_sortie.get(output, ())
            rows.append(
                [
                    code(output),
                    esc(site.output_label(output)),
                    esc(site.shown(output, expected))
                    if len(leaves) == 1 and leaves[0][0] == output
                    else line_block(shown),
                    line_block(f"**✗** {esc(departure)}" for departure in departures)
                    if departures
                    else "✓ identique",
                ]
            )
        lines += table(["Sortie", "Libellé", "Attendu", "Résultat du moteur"], rows, [22, 28, 20, 30])
        if run.erreur is not None:
            lines += [f"**Erreur de l'évaluation** : {esc(run.erreur)}", ""]
        rules = run.rules(site.book)
        lines += [".. rubric:: Règles appliquées, dans l'ordre du raisonnement", ""]
        lines += [" → ".join(ref(rule_label(rule), rule.id) for rule in rules) or "aucune", ""]
    return lines


def coverage_page(site: Site) -> list[str]:
    """The audit's to-do list, computed: what the rules leave out, what the tests leave out."""
    book = site.book
    all_alineas = [(version, alinea) for version in book.articles for alinea in version.alineas]
    uncited, not_authentic, incomplete = [], [], []
    for version, alinea in all_alineas:
        cited = site.citing(version, alinea)
        reference = ref(alinea_label(version, alinea), alinea_reference(version, alinea))
        relying = (
            ", ".join(
                [
                    *(ref(rule_label(r), r.id) for r in cited["regles"]),
                    *(ref(derogation_label(d), d.id) for d in cited["derogations"]),
                ]
            )
            or "—"
        )
        if not site.encodes(cited):
            checks = ", ".join(code(check.champ) for check in cited["controles"])
            uncited.append([reference, f":provenance-abregee:`{alinea.provenance}`", checks or "—"])
        if alinea.provenance != "authentique":
            source = ref(source_label(version, alinea.source), alinea.source) if alinea.source else "aucune"
            not_authentic.append([reference, f":provenance-abregee:`{alinea.provenance}`", source, relying])
        elif not alinea.complet:
            incomplete.append([reference, esc(alinea.note or "—"), relying])
    untested = [
        [ref(rule_label(rule), rule.id), esc(rule.titre), code("rules/" + rule.fichier)]
        for rule in book.regles
        if not site.cases_of(rule)
    ]
    never_open = [
        [ref(derogation_label(d), d.id), esc(d.titre), code("rules/" + d.fichier)]
        for d in book.derogations
        if not site.cases_opening(d)
    ]
    failing = [
        [site.case_link(run), line_block(esc(departure) for departure in run.ecarts)]
        for run in site.runs
        if run.ecarts
    ]
    authentic = sum(1 for _, alinea in all_alineas if alinea.provenance == "authentique")
    lines = [
        *heading("Couverture : la liste de l'audit", "=", overline=True),
        "Calculée à chaque construction du site, depuis les fichiers de règles et l'évaluation de chaque "
        f"cas de test : {len(all_alineas)} alinéas enregistrés (dont {authentic} au texte authentique), "
        f"{len(book.regles)} règles, {len(book.derogations)} dérogations, {len(book.parametres)} paramètres, "
        f"{len(book.conventions)} conventions, {len(site.runs)} cas de test.",
        "",
    ]

    sections: list[tuple[str, str, list[str], list[list[Any]], list[int], str]] = [
        (
            "Alinéas qu'aucune règle n'encode",
            "Aucune règle, aucune dérogation, aucun paramètre ni aucune convention ne les cite (un contrôle "
            "des entrées peut les citer).",
            ["Alinéa", "Provenance", "Contrôles qui le citent"],
            uncited,
            [45, 30, 25],
            "Aucun : chaque alinéa est cité par une règle, une dérogation, un paramètre ou une convention.",
        ),
        (
            "Règles qu'aucun cas de test n'applique",
            "Aucun cas de test de ``tests/cas/`` n'aboutit à un raisonnement qui passe par elles.",
            ["Règle", "Titre", "Fichier"],
            untested,
            [30, 45, 25],
            "Aucune : chaque règle est appliquée par au moins un cas de test.",
        ),
        (
            "Dérogations qu'aucun cas de test n'ouvre",
            "Aucun cas de test ne décrit une commune qui remplit leurs conditions.",
            ["Dérogation", "Titre", "Fichier"],
            never_open,
            [30, 45, 25],
            "Aucune : chaque dérogation est ouverte dans au moins un cas de test.",
        ),
        (
            "Textes dont la provenance n'est pas authentique",
            "Texte cité par le guide officiel, texte du projet de loi ou texte non disponible : à vérifier "
            "sur le texte consolidé, et avec lui les règles qui s'y fondent.",
            ["Alinéa", "Provenance", "Source", "Règles et dérogations qui le citent"],
            not_authentic,
            [25, 20, 20, 35],
            "Aucun : tous les textes sont authentiques.",
        ),
        (
            "Extraits authentiques incomplets",
            "Texte authentique, mais tronqué : la suite est à rechercher.",
            ["Alinéa", "Note", "Règles et dérogations qui le citent"],
            incomplete,
            [25, 50, 25],
            "Aucun.",
        ),
        (
            "Cas de test dont le résultat calculé diffère de l'attendu",
            "Sorties (ou erreur) où le moteur ne donne pas ce qu'attend le cas.",
            ["Cas", "Écarts"],
            failing,
            [50, 50],
            "Aucun : le moteur donne le résultat attendu pour chaque cas.",
        ),
    ]
    for title_text, explanation, header, rows, widths, none in sections:
        lines += [*heading(f"{title_text} ({len(rows)})", "-"), explanation, ""]
        lines += table(header, rows, widths) if rows else [f"*{none}*", ""]
    return lines


def generate(app: Sphinx) -> None:
    """Write the pages about the law into ``_generated/``; remove those that no longer have a subject."""
    book = load_rulebook()
    tests = (Path(app.confdir) / app.config.cms_law_depot / "tests").resolve()
    folder = tests / "cas"
    site = Site(book, run_cases(book, tests))
    pages: dict[str, list[str]] = {
        "sommaire.inc": summary_page(site),
        "index.rst": index_page(site),
        "vocabulaire.rst": vocabulary_page(site),
        "couverture.rst": coverage_page(site),
        "cas/index.rst": cases_index_page(site, folder),
    }
    for version in book.articles:
        pages[f"{version_path(version)}.rst"] = version_page(site, version)
        if site.rules_page(version):
            pages[f"{site.rules_page(version)}.rst"] = rules_page(site, version)
    for name in dict.fromkeys(run.fichier for run in site.runs):
        pages[f"cas/{name}.rst"] = case_page(site, name, folder)
    root = Path(app.srcdir) / GENERATED
    for relative, lines in pages.items():
        path = root / relative
        text = "\n".join(lines).rstrip() + "\n"
        # Unchanged pages keep their date, so that Sphinx reads again only what changed.
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for path in root.rglob("*"):
        if path.is_file() and path.relative_to(root).as_posix() not in pages:
            path.unlink()


# --------------------------------------------------------------------------- directives, roles, setup


class repli(nodes.container):
    """Content folded under a summary line (HTML ``<details>``); other builders show it as is."""


def _visit_repli(translator: Any, node: repli) -> None:
    attributes = {"open": "open"} if node["ouvert"] else {}
    translator.body.append(translator.starttag(node, "details", CLASS="cms-law-repli", **attributes))
    translator.body.append(f"<summary>{html.escape(node['resume'])}</summary>\n")


def _depart_repli(translator: Any, node: repli) -> None:
    translator.body.append("</details>\n")


class FoldDirective(SphinxDirective):
    """``.. cms-law-repli:: summary`` (option ``:ouvert:``): long content a reader opens on demand."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = {"ouvert": directives.flag}

    def run(self) -> list[nodes.Node]:
        node = repli(resume=self.arguments[0], ouvert="ouvert" in self.options)
        self.set_source_info(node)
        node += self.parse_content_to_nodes()
        return [node]


class CommandDirective(SphinxDirective):
    """``.. cms-law-commande:: evaluate examples/commune_exemple.yaml``: the command and its output.

    The command runs at build time, from the repository root, so that the user guide shows what
    ``cms-law`` prints today; a failing command fails the build. Option ``:replie:`` folds the output.
    """

    required_arguments = 1
    final_argument_whitespace = True
    option_spec = {"replie": directives.flag}

    def run(self) -> list[nodes.Node]:
        arguments = shlex.split(self.arguments[0])
        output = io.StringIO()
        with contextlib.chdir(Path(self.env.app.confdir) / self.config.cms_law_depot):
            status = cli.main(arguments, stdout=output)
        if status != 0:
            raise self.error(f"« cms-law {self.arguments[0]} » a échoué (code {status})")
        # The output depends on the rule files, which Sphinx does not track: read the page each build.
        self.env.note_reread()
        command = nodes.literal_block(text=f"$ cms-law {self.arguments[0]}", language="console")
        result = nodes.literal_block(text=output.getvalue().rstrip("\n"), language="none", classes=["sortie"])
        if "replie" not in self.options:
            return [command, result]
        node = repli(resume="afficher la sortie", ouvert=False)
        node += result
        return [command, node]


def _provenance_role(labels: Mapping[str, str]) -> Any:
    def role(
        name: str,
        rawtext: str,
        text: str,
        lineno: int,
        inliner: Any,
        options: Any = None,
        content: Any = None,
    ) -> Any:
        if text not in labels:
            message = inliner.reporter.error(
                f"provenance inconnue « {text} » (connues : {', '.join(labels)})", line=lineno
            )
            return [inliner.problematic(rawtext, rawtext, message)], [message]
        return [nodes.inline(rawtext, labels[text], classes=["provenance", f"provenance-{text}"])], []

    return role


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("cms_law_depot", "..", "env", types=[str])
    app.add_node(repli, html=(_visit_repli, _depart_repli))
    app.add_directive("cms-law-repli", FoldDirective)
    app.add_directive("cms-law-commande", CommandDirective)
    app.add_role("provenance", _provenance_role(PROVENANCES))
    app.add_role("provenance-abregee", _provenance_role(PROVENANCES_ABREGEES))
    app.connect("builder-inited", generate)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
