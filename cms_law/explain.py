"""Explanations: the steps of a result as data, then as French text and JSON.

Numbers, percentages and dates are formatted for ``fr_FR`` with babel. A step's sentence comes
from its rule's ``explication`` template in ``rules/``; this module only fills it in.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import string
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from .compiler import RunResult
from .expressions import Value, truth
from .model import (
    PROVENANCES_ABREGEES,
    CheckedCondition,
    Citation,
    Derogation,
    DerogationResult,
    Evaluation,
    Explanation,
    Fragment,
    RuleBook,
    Step,
)

LOCALE = "fr_FR"
#: Decimal places kept when a non-terminating exact value must be written as a decimal.
JSON_PLACES = 12
#: Decimal places shown in French sentences (the data keep the exact value).
TEXT_PLACES = 2


# --------------------------------------------------------------------------- values


def exact_decimal(value: Fraction | int) -> Decimal:
    """The value as a Decimal: exact when it terminates, else rounded to ``JSON_PLACES``."""
    fraction = Fraction(value)
    denominator = fraction.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    with localcontext() as context:
        context.prec = 60
        decimal = Decimal(fraction.numerator) / Decimal(fraction.denominator)
        if denominator != 1:
            decimal = decimal.quantize(Decimal(1).scaleb(-JSON_PLACES))
    normalized = decimal.normalize()
    return normalized.quantize(Decimal(1)) if normalized == normalized.to_integral() else normalized


def json_value(value: Value, kind: str | None) -> Any:
    """A value as JSON: rates and points as exact decimal strings, counts as integers."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, Fraction)):
        if kind in ("entier", "annee") and isinstance(value, int):
            return value
        return format(exact_decimal(value), "f")
    return value


def french(value: Value, kind: str | None) -> str:
    """A value as a French reader expects it (``33 %``, ``1 500``, ``2,5 points``, ``1er janvier 2023``)."""
    return _french(type(value).__name__, value, kind)


@functools.lru_cache(maxsize=8192)
def _french(_type: str, value: Value, kind: str | None) -> str:
    # Keyed on the type too, so that True and 1 (equal and same hash) are not confused. The
    # cache matters: babel re-parses its patterns on each call, and a batch formats the same
    # rates and thresholds thousands of times.
    if value is None:
        return "inconnu"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.date):
        text = format_date(value, format="long", locale=LOCALE)
        return text.replace("1 ", "1er ", 1) if value.day == 1 else text
    if kind == "annee":
        return str(value)
    if isinstance(value, (int, Fraction)):
        shown = _rounded(value)
        if kind == "taux":
            return format_percent(_rounded(Fraction(value) * 100) / 100, locale=LOCALE, decimal_quantization=False)
        text = format_decimal(shown, locale=LOCALE, decimal_quantization=False)
        if kind == "points":
            return f"{text} point{'s' if abs(Fraction(value)) >= 2 else ''}"
        return text
    return str(value)


def _rounded(value: Fraction | int) -> Decimal:
    return exact_decimal(Fraction(round(Fraction(value) * 10**TEXT_PLACES), 10**TEXT_PLACES))


class _Formatted(dict):  # type: ignore[type-arg]
    """A template's names, each formatted for French on first use."""

    def __init__(self, lookup: Callable[[str], Value], type_of: Callable[[str], str | None]) -> None:
        super().__init__()
        self.lookup = lookup
        self.type_of = type_of

    def __missing__(self, name: str) -> str:
        return french(self.lookup(name), self.type_of(name))


def fill(template: str, lookup: Callable[[str], Value], type_of: Callable[[str], str | None]) -> str:
    """Fill a rule's French template, formatting each named value for its type."""
    return template.format_map(_Formatted(lookup, type_of))


#: How a summary shows a value that is not known (a table cell without it, mostly).
UNKNOWN_IN_SUMMARY = "—"


def summary(evaluation: Evaluation, use: str) -> str:
    """The sentence ``syntheses.<use>`` of ``vocabulaire.yaml`` for this result."""
    return sentence(evaluation, evaluation.rulebook.syntheses[use], f"syntheses.{use}")


def sentence(evaluation: Evaluation, fragments: Sequence[Fragment], owner: str) -> str:
    """The fragments whose condition holds, in order, each filled in (``owner`` names them in errors)."""
    lookup = evaluation.valeurs.get
    return "".join(
        _fill_summary(fragment.texte, evaluation)
        for fragment in fragments
        if fragment.si is None or truth(owner, fragment.si, lookup) is True
    )


def _fill_summary(template: str, evaluation: Evaluation) -> str:
    """``{nom}``: the value in French; ``{nom.motif}``, ``{nom.citation}``: the rule that set it."""
    book = evaluation.rulebook
    parts = []
    for literal, name, view in _template_parts(template):
        parts.append(literal)
        if name is None:
            continue
        if not view:
            value = evaluation.valeurs.get(name)
            parts.append(UNKNOWN_IN_SUMMARY if value is None else french(value, book.type_of(name)))
            continue
        rule = evaluation.rule_of(name)
        if rule is None:
            parts.append("sans règle")
        elif view == "motif":  # a title, shown within a sentence
            parts.append(rule.titre[:1].lower() + rule.titre[1:])
        else:
            parts.append(rule.citations[0].court if rule.citations else rule.id)
    return "".join(parts)


@functools.lru_cache(maxsize=1024)
def _template_parts(template: str) -> tuple[tuple[str, str | None, str], ...]:
    """Each literal text of a summary template, followed by the name and the view it shows, if any."""
    parts = []
    for literal, field, _, _ in string.Formatter().parse(template):
        name, _, view = (None, "", "") if field is None else field.partition(".")
        parts.append((literal, name, view))
    return tuple(parts)


# --------------------------------------------------------------------------- building the explanation


def build_explanation(
    book: RuleBook,
    run: RunResult,
    conventions: Mapping[str, str],
    chosen: frozenset[str],
) -> Explanation:
    """One step per rule that gave a value, preceded by a step for each convention it relies on."""
    lookup = run.values.get
    steps: list[Step] = []
    unexplained_conventions = set(book.conventions)
    for outcome in run.applied:
        for name in sorted(outcome.rule.reads & unexplained_conventions):
            unexplained_conventions.discard(name)
            steps.append(_convention_step(book, name, conventions[name], name in chosen))
        steps.append(
            Step(
                regle=outcome.rule.id,
                nature="regle",
                titre=outcome.rule.titre,
                citations=outcome.rule.citations,
                entrees=outcome.inputs,
                valeurs=outcome.values,
                render=functools.partial(fill, outcome.rule.explication, lookup, book.type_of),
            )
        )
    return Explanation(tuple(steps))


def _convention_step(book: RuleBook, name: str, option: str, chosen: bool) -> Step:
    convention = book.conventions[name]
    origin = "choisie par l'utilisateur" if chosen else "option par défaut"
    text = (
        f"Convention « {convention.titre} » ({origin}) : {convention.options[option]}. "
        f"Le texte étant muet sur ce point : {convention.justification}"
    )
    return Step(
        regle=f"convention.{name}",
        nature="convention",
        titre=convention.titre,
        citations=convention.interprete,
        entrees={},
        valeurs={name: option},
        render=lambda: text,
    )


def derogation_text(
    book: RuleBook,
    derogation: Derogation,
    ouverte: bool,
    conditions: Sequence[CheckedCondition],
    lookup: Callable[[str], Value],
) -> str:
    """The derogation's French sentence, then what it still requires or why it is closed."""
    template = derogation.explication_ouverte if ouverte else derogation.explication_fermee
    text = fill(template, lookup, book.type_of)
    failed = [c for c in conditions if c.remplie is False]
    unknown = [c for c in conditions if c.remplie is None]
    if failed:
        text += " Condition(s) non remplie(s) : " + " ; ".join(_condition_phrase(c) for c in failed) + "."
    if unknown:
        text += " À vérifier, les données fournies ne le disant pas : " + " ; ".join(
            _condition_phrase(c) for c in unknown
        ) + "."
    if ouverte and derogation.exigences:
        text += " Elle requiert : " + " ; ".join(
            f"{r.texte} ({' ; '.join(c.court for c in r.citations)})" for r in derogation.exigences
        ) + "."
    return text


def _condition_phrase(checked: CheckedCondition) -> str:
    citations = " ; ".join(c.court for c in checked.condition.citations)
    return f"{checked.condition.libelle} ({citations})"


def derogation_as_dict(result: DerogationResult) -> dict[str, Any]:
    derogation = result.derogation
    data: dict[str, Any] = {
        "type": derogation.type,
        "regle": derogation.id,
        "titre": derogation.titre,
        "citations": [c.court for c in derogation.citations],
        "ouverte": result.ouverte,
    }
    if derogation.plancher is not None:
        data["plancher"] = result.plancher
    if derogation.periodes_restantes is not None:
        data["periodes_restantes"] = result.periodes_restantes
    data["conditions"] = [
        {
            "libelle": c.condition.libelle,
            "citation": " ; ".join(x.court for x in c.condition.citations),
            "citations": [x.court for x in c.condition.citations],
            "remplie": c.remplie,
        }
        for c in result.conditions
    ]
    data["exigences"] = [
        {"texte": r.texte, "citations": [c.court for c in r.citations]} for r in derogation.exigences
    ]
    data["explication"] = result.texte
    return data


# --------------------------------------------------------------------------- output


def citation_as_dict(citation: Citation) -> dict[str, Any]:
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


def evaluation_as_dict(evaluation: Evaluation, explication: bool = True) -> dict[str, Any]:
    book = evaluation.rulebook
    return {
        **evaluation_figures(evaluation),
        "derogations": [derogation_as_dict(result) for result in evaluation.derogations],
        "conventions": {
            name: {"valeur": option, "par_defaut": name not in evaluation.conventions_modifiees}
            for name, option in evaluation.conventions.items()
        },
        **({"explication": [step_as_dict(step, book) for step in evaluation.explication]} if explication else {}),
    }


def to_json(data: Any, indent: int | None = 2) -> str:
    return json.dumps(data, ensure_ascii=False, indent=indent)


def _output_lines(evaluation: Evaluation) -> list[str]:
    book = evaluation.rulebook
    lines = []
    for entry in book.sorties:
        names: Sequence[str]
        if isinstance(entry, str):
            names = [entry]
        else:
            ((key, spec),) = entry.items()
            if not isinstance(spec, list):
                citation = evaluation.citation_of(spec["citation_de"])
                label = spec.get("libelle", key)
                lines.append(f"  {label[:1].upper()}{label[1:]} : {citation.long if citation else 'sans objet'}")
                continue
            names = spec
        for name in names:
            value = evaluation.valeurs.get(name)
            shown = french(value, book.type_of(name)) if value is not None else "sans objet"
            lines.append(f"  {book.label_of(name)[:1].upper()}{book.label_of(name)[1:]} : {shown}")
    return lines


def render_text(evaluation: Evaluation) -> str:
    """The result and its reasoning as French text, each step followed by its citations."""
    name = evaluation.commune.get("nom", "commune")
    regime = evaluation.regime
    lines = [
        f"Commune : {name}"
        + (f" ({evaluation.commune['code_insee']})" if evaluation.commune.get("code_insee") else ""),
        f"Période triennale : {evaluation.periode}",
        f"Droit applicable : {regime.titre} (version en vigueur au "
        f"{french(evaluation.periode.date_reference, 'date')})",
        "",
        "Résultat :",
        *_output_lines(evaluation),
        "",
        "Raisonnement :",
    ]
    for number, step in enumerate(evaluation.explication, start=1):
        lines.append(f"{number}. {step.texte}")
        lines.append(f"   → {cite_in_full(step.citations)} ({step.regle})")
    if evaluation.derogations:
        lines += ["", "Dérogations et aménagements :"]
    for result in evaluation.derogations:
        state = "ouverte" if result.ouverte else "fermée"
        lines.append(f"- {result.derogation.titre} : {state}. {result.texte}")
        lines.append(f"   → {cite_in_full(result.derogation.citations)} ({result.derogation.id})")
    return "\n".join(lines) + "\n"


def cite_in_full(citations: Sequence[Citation]) -> str:
    """Citations in their legal form, grouped by article version, each with its provenance.

    ``article L. 302-8, VII, 1° et VII, 2° du code de la construction et de l'habitation, dans sa
    rédaction issue de la loi n° 2022-217 du 21 février 2022 [projet de loi]``
    """
    # A rule's citations never change: their text is built once (citations are not hashable,
    # their file and alinéa are).
    key = tuple((citation.version.fichier, citation.alinea.id) for citation in citations)
    text = _FULL_CITATIONS.get(key)
    if text is None:
        text = _FULL_CITATIONS[key] = _cite_in_full(citations)
    return text


_FULL_CITATIONS: dict[tuple[tuple[str, str], ...], str] = {}


def _cite_in_full(citations: Sequence[Citation]) -> str:
    groups: list[list[Citation]] = []
    for citation in citations:
        if groups and groups[-1][0].version is citation.version:
            groups[-1].append(citation)
        else:
            groups.append([citation])
    texts = []
    for group in groups:
        version = group[0].version
        # A missing part that cannot be located in the article (« suite » of a version without
        # sections) has nothing but its provenance: « article L. 302-8 [texte non disponible] ».
        joined = " et ".join((_within_article(c) + _provenance_tag(c)).strip() for c in group)
        separator = " " if joined.startswith("[") else ", "
        text = f"article {version.article}" + (separator + joined if joined else "")
        texts.append(f"{text} du {version.code}, {version.redaction}")
    return " ; ".join(texts)


def _within_article(citation: Citation) -> str:
    return citation.court.removeprefix(citation.version.article).removeprefix(", ")


def _provenance_tag(citation: Citation) -> str:
    if citation.provenance == "authentique":
        return ""
    return f" [{PROVENANCES_ABREGEES[citation.provenance]}]"


# --------------------------------------------------------------------------- EPCI


def _aggregate_as_dict(result: Any, book: RuleBook) -> dict[str, Any]:
    kind = book.type_of(result.aggregate.nom)
    return {
        "valeur": json_value(result.valeur, kind),
        "titre": result.aggregate.titre,
        "citations": [c.court for c in result.aggregate.citations],
        "communes": [{"nom": name, "valeur": json_value(value, kind)} for name, value in result.contributions],
        "indeterminees": list(result.indeterminees),
        "texte": aggregate_text(result, book),
    }


def aggregate_text(result: Any, book: RuleBook) -> str:
    """« Somme des … : A (165) + B (99) = 264 », with the communes the input could not place."""
    kind = book.type_of(result.aggregate.nom)
    title = result.aggregate.titre[:1].upper() + result.aggregate.titre[1:]
    if result.aggregate.operation == "compte":
        detail = ", ".join(name for name, _ in result.contributions) or "aucune"
        text = f"{title} : {french(result.valeur, kind)} ({detail})"
    else:
        detail = " + ".join(f"{name} ({french(value, kind)})" for name, value in result.contributions)
        text = f"{title} : {detail + ' = ' if len(result.contributions) > 1 else ''}{french(result.valeur, kind)}"
    if result.indeterminees:
        text += f" ; indéterminé faute de données pour : {', '.join(result.indeterminees)}"
    return text + "."


def epci_as_dict(evaluation: Any) -> dict[str, Any]:
    book = evaluation.rulebook
    return {
        "epci": {field.cle: json_value(evaluation.epci[field.cle], field.type)
                 for field in book.entrees_epci if field.cle in evaluation.epci},
        "periode": str(evaluation.periode),
        "version_loi": evaluation.regime.id,
        "communes": [commune.as_dict() for commune in evaluation.communes],
        "agregats": {r.aggregate.nom: _aggregate_as_dict(r, book) for r in evaluation.agregats},
        "derogations": [derogation_as_dict(result) for result in evaluation.derogations],
    }


def render_epci_text(evaluation: Any) -> str:
    book = evaluation.rulebook
    name = evaluation.epci.get("nom", "EPCI")
    lines = [
        f"EPCI : {name}",
        f"Période triennale : {evaluation.periode}",
        f"Droit applicable : {evaluation.regime.titre}",
        "",
        "Communes :",
    ]
    for commune in evaluation.communes:
        lines.append(f"  - {commune.commune.get('nom')} : {summary(commune, 'membre_epci')}")
        for result in commune.derogations:
            if result.derogation.type in {d.derogation.type for d in evaluation.derogations}:
                floor = f", plancher {french(result.plancher, 'entier')}" if result.plancher is not None else ""
                state = "possible" if result.ouverte else "non ouverte"
                lines.append(f"      {result.derogation.titre} : {state}{floor}")
    lines += ["", "À l'échelle de l'EPCI :"]
    for result in evaluation.agregats:
        lines.append(f"  - {aggregate_text(result, book)}")
        lines.append(f"    → {cite_in_full(result.aggregate.citations)}")
    for result in evaluation.derogations:
        state = "possible" if result.ouverte else "impossible en l'état"
        lines.append(f"  - {result.derogation.titre} : {state}. {result.texte}")
        lines.append(f"    → {cite_in_full(result.derogation.citations)} ({result.derogation.id})")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- contracts


def _finding_as_dict(finding: Any) -> dict[str, Any]:
    return {
        "regle": finding.verification.id,
        "citations": [c.court for c in finding.citations],
        "commune": finding.commune,
        "texte": finding.texte,
    }


def _table_row(row: Mapping[str, Any], book: RuleBook) -> dict[str, Any]:
    kinds = {column.cle: _column_kind(column, book) for column in book.tableau_contrat}
    return {key: json_value(value, kinds.get(key)) for key, value in row.items()}


def _column_kind(column: Any, book: RuleBook) -> str | None:
    """A column showing one variable has its type; a computed one is a rate (a share of dwellings)."""
    names = column.valeur.names
    if len(names) == 1 and not column.valeur.functions and column.valeur.source.strip() in names:
        return book.type_of(next(iter(names)))
    return "taux"


def contract_as_dict(check: Any) -> dict[str, Any]:
    book = check.rulebook
    fields = (*book.entrees_epci, *book.entrees_contrat)
    return {
        "valide": check.valide,
        "type": check.type,
        "periode": str(check.periode),
        "version_loi": check.regime.id,
        "contrat": {f.cle: json_value(check.contrat[f.cle], f.type) for f in fields if f.cle in check.contrat},
        "violations": [_finding_as_dict(f) for f in check.violations],
        "verifications_non_evaluees": [_finding_as_dict(f) for f in check.indeterminees],
        "tableau": [_table_row(row, book) for row in check.tableau],
        "agregats": {r.aggregate.nom: _aggregate_as_dict(r, book) for r in check.agregats},
        "communes": [commune.as_dict() for commune in check.communes],
    }


def contract_table_csv(check: Any) -> str:
    import csv
    import io

    book = check.rulebook
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    keys = ["commune", *(column.cle for column in book.tableau_contrat)]
    writer.writerow(keys)
    for row in check.tableau:
        data = _table_row(row, book)
        writer.writerow(["" if data.get(key) is None else data[key] for key in keys])
    return buffer.getvalue()


def render_contract_text(check: Any) -> str:
    book = check.rulebook
    verdict = "conforme à la loi" if check.valide else (
        "non conforme" if check.violations else "conformité non établie (données manquantes)"
    )
    lines = [
        f"Contrat de mixité sociale « {check.type.replace('_', ' ')} » : {verdict}",
        f"Période triennale : {check.periode}",
        f"Droit applicable : {check.regime.titre}",
    ]
    if check.violations:
        lines += ["", f"Violations ({len(check.violations)}) :"]
    for finding in check.violations:
        where = f"{finding.commune} : " if finding.commune else ""
        lines.append(f"  - {where}{finding.texte}.")
        lines.append(f"    → {cite_in_full(finding.citations)} ({finding.verification.id})")
    if check.indeterminees:
        lines += ["", f"Vérifications impossibles faute de données ({len(check.indeterminees)}) :"]
    for finding in check.indeterminees:
        where = f"{finding.commune} : " if finding.commune else ""
        lines.append(f"  - {where}{finding.texte} — {finding.verification.id} ({', '.join(c.court for c in finding.citations)})")
    lines += ["", "Objectifs de la période (modèle de contrat, article 2) :"]
    headers = ["Commune", *(column.libelle for column in book.tableau_contrat)]
    kinds = [None, *(_column_kind(column, book) for column in book.tableau_contrat)]
    keys = ["commune", *(column.cle for column in book.tableau_contrat)]
    cells = [[french(row.get(key), kind) if row.get(key) is not None else "—"
              for key, kind in zip(keys, kinds)] for row in check.tableau]
    cells = [[str(row["commune"]), *line[1:]] for row, line in zip(check.tableau, cells)]
    widths = [max(len(text) for text in column) for column in zip(headers, *cells)]
    for line in [headers, *cells]:
        lines.append("  " + " | ".join(text.ljust(width) for text, width in zip(line, widths)))
    return "\n".join(lines) + "\n"
