"""Results as French text: the reasoning with its citations in full, the summaries, EPCI and contract.

A step's sentence comes from its rule's ``explication`` template in ``rules/`` (filled when the
evaluation built it); the summary sentences come from the ``syntheses`` of ``vocabulaire.yaml``.
This module lays them out; it decides nothing of the law.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping, Sequence
from typing import Any

from ..contract import RESPECTEE, SANS_OBJET, TYPE_VARIABLE, ContractCheck, Finding
from ..epci import AggregateResult, EpciEvaluation
from ..expressions import truth
from ..french import french
from .whynot import HEADING as WHY_NOT_HEADING
from .whynot import why_not_text
from ..model import PROVENANCES_ABREGEES, Citation, Evaluation, Fragment, RuleBook, TableColumn
from ..model.results import A_L_APPRECIATION_DU_PREFET, FERMEE, INDETERMINEE, OUVERTE
from .provenance import provenance_lines


#: A derogation's state in words: for one commune, for a commune of an EPCI, for the EPCI.
ETATS = {OUVERTE: "ouverte", A_L_APPRECIATION_DU_PREFET: "à l'appréciation du préfet", FERMEE: "fermée",
         INDETERMINEE: "indéterminée"}
ETATS_MEMBRE = {OUVERTE: "possible", A_L_APPRECIATION_DU_PREFET: "à l'appréciation du préfet",
                FERMEE: "non ouverte", INDETERMINEE: "indéterminée"}
ETATS_EPCI = {OUVERTE: "possible", A_L_APPRECIATION_DU_PREFET: "à l'appréciation du préfet",
              FERMEE: "impossible en l'état", INDETERMINEE: "indéterminée"}


# --------------------------------------------------------------------------- summaries


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


# --------------------------------------------------------------------------- an evaluation


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
        lines.append(f"- {result.derogation.titre} : {ETATS[result.etat]}. {result.texte}")
        lines.append(f"   → {cite_in_full(result.citations)} ({result.derogation.id})")
    if evaluation.pourquoi_pas is not None:
        lines += ["", WHY_NOT_HEADING]
        lines += [f"- {why_not_text(item, evaluation.rulebook)}" for item in evaluation.pourquoi_pas]
    lines += provenance_lines(evaluation.rulebook, [regime.id], evaluation.conventions)
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


def aggregate_text(result: AggregateResult, book: RuleBook) -> str:
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


def render_epci_text(evaluation: EpciEvaluation) -> str:
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
                state = ETATS_MEMBRE[result.etat]
                lines.append(f"      {result.derogation.titre} : {state}{floor}")
    lines += ["", "À l'échelle de l'EPCI :"]
    for figure in evaluation.agregats:
        lines.append(f"  - {aggregate_text(figure, book)}")
        lines.append(f"    → {cite_in_full(figure.aggregate.citations)}")
    for result in evaluation.derogations:
        state = ETATS_EPCI[result.etat]
        lines.append(f"  - {result.derogation.titre} : {state}. {result.texte}")
        lines.append(f"    → {cite_in_full(result.citations)} ({result.derogation.id})")
    conventions = evaluation.communes[0].conventions if evaluation.communes else {}
    lines += provenance_lines(book, [evaluation.regime.id], conventions)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- contracts


def column_kind(column: TableColumn, book: RuleBook) -> str | None:
    """A column's declared type; else one showing one variable has its type, a computed one is a
    rate (a share of dwellings)."""
    if column.type is not None:
        return column.type
    names = column.valeur.names
    if len(names) == 1 and not column.valeur.functions and column.valeur.source.strip() in names:
        return book.type_of(next(iter(names)))
    return "taux"


def _contract_type_label(book: RuleBook, contract_type: str) -> str:
    field = next((f for f in book.entrees_contrat if f.variable == TYPE_VARIABLE), None)
    return field.label_of(contract_type) if field is not None else contract_type


def _where(finding: Finding) -> str:
    """The period (for a contract covering several) and the commune a finding is about."""
    parts = [part for part in (finding.periode, finding.commune) if part]
    return " — ".join(parts) + " : " if parts else ""


def _verdict(check: ContractCheck) -> str:
    return "conforme à la loi" if check.valide else (
        "non conforme" if check.violations else "conformité non établie (données manquantes)"
    )


def _applicable_law(check: ContractCheck) -> str:
    """The law of the contract, or of each period when its periods fall under different laws."""
    regimes = {c.regime.id for c in check.par_periode}
    if len(regimes) <= 1:
        return check.regime.titre
    return " ; ".join(f"{c.periode} : {c.regime.titre}" for c in check.par_periode)


def render_contract_text(check: ContractCheck) -> str:
    book = check.rulebook
    lines = [
        f"Contrat de mixité sociale « {_contract_type_label(book, check.type)} » : {_verdict(check)}",
        f"Période(s) triennale(s) : {', '.join(str(p) for p in check.periodes)}",
        f"Droit applicable : {_applicable_law(check)}",
    ]
    if check.violations:
        lines += ["", f"Violations ({len(check.violations)}) :"]
    for finding in check.violations:
        where = _where(finding)
        lines.append(f"  - {where}{finding.texte}.")
        lines.append(f"    → {cite_in_full(finding.citations)} ({finding.verification.id})")
    if check.indeterminees:
        lines += ["", f"Vérifications impossibles faute de données ({len(check.indeterminees)}) :"]
    for finding in check.indeterminees:
        where = _where(finding)
        lines.append(f"  - {where}{finding.texte} — {finding.verification.id} ({', '.join(c.court for c in finding.citations)})")
    # A commune owing no objective is without object for most checks, for one reason: said once.
    reasons = dict.fromkeys((_where(f), f.texte) for f in check.verifications if f.statut == SANS_OBJET)
    if reasons:
        lines += ["", "Communes sans objectif à vérifier :"]
        lines += [f"  - {where}{reason}." for where, reason in reasons]
    held = [f for f in check.verifications if f.statut == RESPECTEE]
    if held:
        lines += ["", f"Vérifications respectées ({len(held)}) :"]
    for finding in held:
        where = _where(finding)
        lines.append(f"  - {where}{finding.texte} — {finding.verification.id} ({', '.join(c.court for c in finding.citations)})")
    for period in check.periodes:
        rows = [row for row in check.tableau if row.get("periode", str(period)) == str(period)]
        lines += ["", f"Objectifs de la période {period} (modèle de contrat, article 2) :"]
        lines += _table(book, rows)
        # A contract covering several periods: each has its own verdict (the EPCI totals are in JSON).
        lines += [f"  Période {c.periode} : {_verdict(c)}." for c in check.par_periode if c.periode == period]
    regimes = list(dict.fromkeys(commune.regime.id for commune in check.communes)) or [check.regime.id]
    lines += provenance_lines(book, regimes, check.communes[0].conventions if check.communes else {})
    return "\n".join(lines) + "\n"


def _table(book: RuleBook, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    headers = ["Commune", *(column.libelle for column in book.tableau_contrat)]
    kinds = [None, *(column_kind(column, book) for column in book.tableau_contrat)]
    keys = ["commune", *(column.cle for column in book.tableau_contrat)]
    cells = [[french(row.get(key), kind) if row.get(key) is not None else "—"
              for key, kind in zip(keys, kinds)] for row in rows]
    cells = [[str(row["commune"]), *line[1:]] for row, line in zip(rows, cells)]
    widths = [max(len(text) for text in column) for column in zip(headers, *cells)]
    return ["  " + " | ".join(text.ljust(width) for text, width in zip(line, widths)) for line in [headers, *cells]]
