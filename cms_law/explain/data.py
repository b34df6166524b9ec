"""Results as JSON-ready data: exact numbers as decimal strings, dates in ISO form, citations both ways.

What ``--format json`` prints and what ``as_dict()`` returns; each figure keeps the text of its
French sentence beside it, so that a client need not write one.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from ..contract import ContractCheck, Finding
from ..epci import AggregateResult, EpciEvaluation
from ..expressions import Value
from ..french import exact_decimal
from ..errors import InputError
from ..loader.overlaps import Overlap
from ..model import Alinea, ArticleVersion, CheckedCondition, Citation, Derogation, DerogationResult, Evaluation, RuleBook, Step
from .provenance import provenance
from .text import aggregate_text, column_kind
from .whynot import why_not_as_dict


def json_value(value: Value, kind: str | None) -> Any:
    """A value as JSON: rates and points as exact decimal strings, counts as integers."""
    # Dispatched on the exact type: a result holds about 120 values, and bool is an int.
    of = type(value)
    if of is int:
        return value if kind in ("entier", "annee") else str(value)  # an integer's decimal text
    if of is Fraction:
        return _fraction_text(value.numerator, value.denominator)  # type: ignore[union-attr]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@functools.lru_cache(maxsize=8192)
def _fraction_text(numerator: int, denominator: int) -> str:
    # Keyed on the two integers: hashing a Fraction costs a modular inverse.
    return format(exact_decimal(Fraction(numerator, denominator)), "f")


# --------------------------------------------------------------------------- what produced a result


def _conventions_of(evaluations: Sequence[Evaluation]) -> Mapping[str, str]:
    """The conventions applied to a set of communes (each is evaluated with the same ones)."""
    return evaluations[0].conventions if evaluations else {}


# --------------------------------------------------------------------------- an evaluation


def citation_as_dict(citation: Citation) -> dict[str, Any]:
    # A rule's citations never change: their data are built once per article version and alinéa
    # (citations are not hashable; the same file and alinéa of another load may say otherwise,
    # hence the check that they are the very same objects), each caller getting its own copy.
    key = (citation.version.fichier, citation.alinea.id)
    cached = _CITATIONS.get(key)
    if cached is None or cached[0] is not citation.version or cached[1] is not citation.alinea:
        cached = _CITATIONS[key] = (citation.version, citation.alinea, _citation_data(citation))
    return dict(cached[2])


_CITATIONS: dict[tuple[str, str], tuple[ArticleVersion, Alinea, dict[str, Any]]] = {}


def _citation_data(citation: Citation) -> dict[str, Any]:
    version = citation.version
    return {
        "citation": citation.court,
        "texte_long": citation.long,
        "article": version.article,
        "section": citation.alinea.section,
        "alinea": citation.alinea.alinea,
        "item": citation.alinea.item,
        "version_debut": version.validite.debut.isoformat(),
        "version_fin": version.validite.fin.isoformat() if version.validite.fin else None,
        "loi": version.loi.titre_court if version.loi else None,
        "provenance": citation.alinea.provenance,
        "texte_complet": citation.alinea.complet,
    }


def step_as_dict(step: Step, book: RuleBook) -> dict[str, Any]:
    return {
        "regle": step.regle,
        "nature": step.nature,
        "titre": step.titre,
        "citations": [citation.court for citation in step.citations],
        "references": [citation_as_dict(citation) for citation in step.citations],
        "entrees": {name: json_value(value, book.type_of(name)) for name, value in step.entrees.items()},
        "valeurs": {name: json_value(value, book.type_of(name)) for name, value in step.valeurs.items()},
        "texte": step.texte,
    }


def _checked_as_dict(checked: CheckedCondition) -> dict[str, Any]:
    return {
        "libelle": checked.condition.libelle,
        "citation": " ; ".join(x.court for x in checked.condition.citations),
        "citations": [x.court for x in checked.condition.citations],
        "remplie": checked.remplie,
    }


def derogation_as_dict(result: DerogationResult) -> dict[str, Any]:
    derogation = result.derogation
    data: dict[str, Any] = {
        "type": derogation.type,
        "regle": derogation.id,
        "titre": derogation.titre,
        "citations": [c.court for c in result.citations],
        "ouverte": result.ouverte,
        "etat": result.etat,
    }
    if derogation.plancher is not None:
        data["plancher"] = result.plancher
    if derogation.periodes_restantes is not None:
        data["periodes_restantes"] = result.periodes_restantes
    data["conditions"] = [_checked_as_dict(c) for c in result.conditions]
    if result.appreciation is not None:
        data["appreciation"] = _checked_as_dict(result.appreciation)
    data["exigences"] = [
        {"texte": r.texte, "citations": [c.court for c in r.citations]} for r in derogation.exigences
    ]
    data["explication"] = result.texte
    return data


def _outputs(evaluation: Evaluation) -> dict[str, Any]:
    book = evaluation.rulebook
    result: dict[str, Any] = {}
    for entry in book.sorties:
        if isinstance(entry, str):
            result[entry] = json_value(evaluation.valeurs.get(entry), book.type_of(entry))
            continue
        ((key, spec),) = entry.items()
        if isinstance(spec, list):
            group = {name: json_value(evaluation.valeurs.get(name), book.type_of(name)) for name in spec}
            result[key] = group if any(v is not None for v in group.values()) else None
        else:
            citation = evaluation.citation_of(spec["citation_de"])
            result[key] = citation.court if citation else None
    return result


def evaluation_figures(evaluation: Evaluation) -> dict[str, Any]:
    """The commune as read, the period, the law version and the outputs: what a table row holds."""
    book = evaluation.rulebook
    commune = {
        field.cle: json_value(evaluation.commune[field.cle], field.type)
        for field in book.entrees
        if field.cle in evaluation.commune
    }
    return {
        "commune": commune,
        "periode": str(evaluation.periode),
        "version_loi": evaluation.regime.id,
        "version_loi_libelle": evaluation.regime.titre,
        **_outputs(evaluation),
    }


def evaluation_as_dict(evaluation: Evaluation, explication: bool = True, produit_par: bool = True) -> dict[str, Any]:
    """The result of one commune; ``produit_par`` is left out of the communes inside an EPCI's or
    a contract's result, which says it once."""
    book = evaluation.rulebook
    return {
        **evaluation_figures(evaluation),
        "derogations": [derogation_as_dict(result) for result in evaluation.derogations],
        "conventions": {
            name: {"valeur": option, "par_defaut": name not in evaluation.conventions_modifiees}
            for name, option in evaluation.conventions.items()
        },
        **({"explication": [step_as_dict(step, book) for step in evaluation.explication]} if explication else {}),
        **({"pourquoi_pas": [why_not_as_dict(item, book, json_value) for item in evaluation.pourquoi_pas]}
           if evaluation.pourquoi_pas is not None else {}),
        **({"produit_par": provenance(book, evaluation.regime.id, evaluation.conventions)} if produit_par else {}),
    }


# --------------------------------------------------------------------------- EPCI


def _aggregate_as_dict(result: AggregateResult, book: RuleBook) -> dict[str, Any]:
    kind = book.type_of(result.aggregate.nom)
    return {
        "valeur": json_value(result.valeur, kind),
        "titre": result.aggregate.titre,
        "citations": [c.court for c in result.aggregate.citations],
        "communes": [{"nom": name, "valeur": json_value(value, kind)} for name, value in result.contributions],
        "indeterminees": list(result.indeterminees),
        "texte": aggregate_text(result, book),
    }


def epci_as_dict(evaluation: EpciEvaluation) -> dict[str, Any]:
    book = evaluation.rulebook
    return {
        "epci": {field.cle: json_value(evaluation.epci[field.cle], field.type)
                 for field in book.entrees_epci if field.cle in evaluation.epci},
        "periode": str(evaluation.periode),
        "version_loi": evaluation.regime.id,
        "communes": [evaluation_as_dict(commune, produit_par=False) for commune in evaluation.communes],
        "agregats": {r.aggregate.nom: _aggregate_as_dict(r, book) for r in evaluation.agregats},
        "derogations": [derogation_as_dict(result) for result in evaluation.derogations],
        "produit_par": provenance(book, evaluation.regime.id, _conventions_of(evaluation.communes)),
    }


# --------------------------------------------------------------------------- contracts


def _finding_as_dict(finding: Finding, statut: bool = False) -> dict[str, Any]:
    return {
        "regle": finding.verification.id,
        "citations": [c.court for c in finding.citations],
        "commune": finding.commune,
        **({"periode": finding.periode} if finding.periode else {}),
        **({"statut": finding.statut} if statut else {}),
        "texte": finding.texte,
    }


def _table_row(row: Mapping[str, Any], book: RuleBook) -> dict[str, Any]:
    kinds = {column.cle: column_kind(column, book) for column in book.tableau_contrat}
    return {key: json_value(value, kinds.get(key)) for key, value in row.items()}


def contract_as_dict(check: ContractCheck) -> dict[str, Any]:
    book = check.rulebook
    fields = (*book.entrees_epci, *book.entrees_contrat)
    return {
        "valide": check.valide,
        "type": check.type,
        "periode": str(check.periode),
        **({"periodes": [str(p) for p in check.periodes]} if len(check.periodes) > 1 else {}),
        "version_loi": check.regime.id,
        "contrat": {f.cle: json_value(check.contrat[f.cle], f.type) for f in fields if f.cle in check.contrat},
        "violations": [_finding_as_dict(f) for f in check.violations],
        "verifications_non_evaluees": [_finding_as_dict(f) for f in check.indeterminees],
        "verifications": [_finding_as_dict(f, statut=True) for f in check.verifications],
        "tableau": [_table_row(row, book) for row in check.tableau],
        "agregats": {r.aggregate.nom: _aggregate_as_dict(r, book) for r in check.agregats},
        **({"par_periode": [_period_as_dict(c) for c in check.par_periode]} if check.par_periode else {}),
        "communes": [evaluation_as_dict(commune, produit_par=False) for commune in check.communes],
        "produit_par": provenance(book, check.regime.id, _conventions_of(check.communes)),
    }


def _period_as_dict(check: ContractCheck) -> dict[str, Any]:
    """One period of a contract covering several: its law, its verdict, its EPCI totals."""
    return {
        "periode": str(check.periode),
        "version_loi": check.regime.id,
        "valide": check.valide,
        "agregats": {r.aggregate.nom: _aggregate_as_dict(r, check.rulebook) for r in check.agregats},
    }


def contract_table_csv(check: ContractCheck) -> str:
    book = check.rulebook
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    keys = [*(["periode"] if len(check.periodes) > 1 else []), "commune", *(column.cle for column in book.tableau_contrat)]
    # Under a reform, each row says which (as a batch's rows do): a spreadsheet keeps no banner.
    stamp = [] if book.reforme is None else [book.reforme.titre, book.reforme.empreinte]
    writer.writerow([*keys, *(["reforme", "reforme_empreinte"] if stamp else [])])
    for row in check.tableau:
        data = _table_row(row, book)
        writer.writerow(["" if data.get(key) is None else data[key] for key in keys] + stamp)
    return buffer.getvalue()


# --------------------------------------------------------------------------- the rule book, an invalid input


def overlaps_as_data(examined: int, overlaps: Sequence[Overlap]) -> dict[str, Any]:
    """What ``cms-law rules --verifier`` found: the pairs examined, each possible overlap and its witness."""
    return {
        "paires_examinees": examined,
        "chevauchements": [
            {
                "regles": [overlap.premiere.id, overlap.seconde.id],
                "fichiers": [overlap.premiere.fichier, overlap.seconde.fichier],
                "noms": list(overlap.noms),
                "jour": overlap.jour.isoformat(),
                "temoin": None if overlap.temoin is None else {k: json_value(v, None) for k, v in overlap.temoin.items()},
                "complet": overlap.complet,
            }
            for overlap in overlaps
        ],
    }


def rules_as_data(book: RuleBook) -> dict[str, Any]:
    """Every article version with its alinéas, and every rule, parameter, convention, derogation and
    contract verification with its citations, validity and text provenance."""

    def validity(period: Any) -> dict[str, Any]:
        return {"debut": period.debut.isoformat(), "fin": period.fin.isoformat() if period.fin else None}

    def condition(c: Any) -> dict[str, Any]:
        return {"libelle": c.libelle, "citations": [citation_as_dict(x) for x in c.citations],
                "condition": c.condition.source}

    def derogation(d: Derogation, niveau: str) -> dict[str, Any]:
        return {
            "id": d.id, "type": d.type, "titre": d.titre, "niveau": niveau, "fichier": d.fichier,
            "validite": validity(d.validite),
            "citations": [citation_as_dict(c) for c in d.citations],
            "conditions": [condition(c) for c in d.conditions],
            "appreciation": condition(d.appreciation.cas) if d.appreciation else None,
            "plancher": d.plancher, "periodes_restantes": d.periodes_restantes,
            "exigences": [{"texte": r.texte, "citations": [citation_as_dict(c) for c in r.citations]}
                          for r in d.exigences],
        }

    return {
        "regimes": [
            {"id": regime.id, "titre": regime.titre, "validite": validity(regime.validite)}
            for regime in book.regimes
        ],
        "articles": [
            {
                "article": version.article,
                "fichier": version.fichier,
                "validite": validity(version.validite),
                "debut_precision": version.debut_precision,
                "loi": version.loi.titre_court if version.loi else None,
                "sources": dict(version.sources),
                "alineas": [
                    {
                        "id": alinea.id,
                        "citation": Citation(version, alinea).court,
                        "section": alinea.section,
                        "alinea": alinea.alinea,
                        "item": alinea.item,
                        "provenance": alinea.provenance,
                        "source": alinea.source,
                        "texte_complet": alinea.complet,
                        "sans_calcul": alinea.sans_calcul,
                    }
                    for alinea in version.alineas
                ],
            }
            for version in book.articles
        ],
        "regles": [
            {
                "id": rule.id,
                "titre": rule.titre,
                "fichier": rule.fichier,
                "validite": validity(rule.validite),
                "citations": [citation_as_dict(c) for c in rule.citations],
                "si": rule.si.source if rule.si else None,
                "alors": {name: formula.source for name, formula in rule.alors.items()},
                "exception_de": list(rule.exception_de),
            }
            for rule in book.regles
        ],
        "parametres": [
            {
                "nom": parameter.nom,
                "titre": parameter.titre,
                # Several article versions may set the same parameter: each entry says which, when.
                "fichier": parameter.fichier,
                "validite": validity(parameter.validite),
                "citations": [citation_as_dict(c) for c in parameter.citations],
                "valeurs": [
                    {"depuis": v.depuis.isoformat(), "valeur": json_value(v.valeur, parameter.type)}
                    for v in parameter.valeurs
                ],
            }
            for parameter in book.parametres
        ],
        "conventions": [
            {
                "nom": convention.nom,
                "titre": convention.titre,
                "interprete": [citation_as_dict(c) for c in convention.interprete],
                "justification": convention.justification,
                "options": dict(convention.options),
                "defaut": convention.defaut,
                "justifications": dict(convention.justifications),
            }
            for convention in book.conventions.values()
        ],
        "derogations": [
            *(derogation(d, "commune") for d in book.derogations),
            *(derogation(d, "epci") for d in book.derogations_epci),
        ],
        "verifications": [
            {
                "id": v.id, "portee": v.portee, "types": list(v.types), "fichier": v.fichier,
                "validite": validity(v.validite),
                "citations": [citation_as_dict(c) for c in v.citations],
                "si": v.si.source if v.si else None,
                "condition": v.condition.source,
                "libelle": v.libelle, "message": v.message, "sans_objet": v.sans_objet,
            }
            for v in book.verifications
        ],
    }


def input_error_as_dict(error: InputError) -> dict[str, Any]:
    """The problems of an invalid input, as ``--format json`` prints them (and HTTP returns them)."""
    return {"erreurs": [{"champ": p.champ, "message": p.message} for p in error.problemes]}
