"""Checking a proposed contrat de mixité sociale.

The contract file is an EPCI file (its fields and its ``communes``) with the contract's own fields
(``rules/vocabulaire.yaml``: ``contrat``) and, for each commune, the objective the contract sets
(``contrat_commune``). Each commune is evaluated; then every verification of ``rules/`` that
applies to the contract's type is checked, for each commune or for the whole contract, and every
violation is reported — never only the first. A verification the input cannot decide is reported
as such, naming the field it needs; one whose ``si`` is false for a commune (a commune of a
whole-EPCI file that owes no objective) is « sans objet », with the reason the rules give. Every
verification made is kept with its outcome, so that the verdict lists what held as well as what
failed. The verdict is « valide » only when every verification that applies holds.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import attrs

from . import expressions
from .evaluator import parse_period
from .epci import COMMUNES_KEY, AggregateResult, Member, aggregate, evaluate_members, shared_values
from .errors import EvaluationError, InputError, Problem
from .expressions import Value
from .french import fill
from .loader import load_rulebook
from .model import Citation, Evaluation, LawRegime, RuleBook, TableColumn, TriennialPeriod, Verification
from .model.views import Rendered, render

#: The field of the contract that selects the verifications (its « type »).
TYPE_VARIABLE = "type_contrat"
#: The list a contract gives a commune with arrondissements (Paris, Lyon, Marseille).
ARRONDISSEMENTS_KEY = "arrondissements"
#: The periods a contract covers, when more than one (the contract's, and each commune's data).
PERIODS_KEY = "periodes"
#: The context variable giving the verifications how many periods the contract covers.
PERIODS_VARIABLE = "nombre_periodes_contrat"


#: The outcomes of one verification for one commune or for the contract.
RESPECTEE, VIOLEE, NON_VERIFIABLE, SANS_OBJET = "respectee", "violee", "non_verifiable", "sans_objet"


@attrs.frozen
class Finding:
    """One verification made: held, failed (a violation), undecided, or without object."""

    verification: Verification
    commune: str | None
    texte: str
    statut: str = VIOLEE
    periode: str | None = None  # for a contract covering several periods

    @property
    def citations(self) -> tuple[Citation, ...]:
        return self.verification.citations


@attrs.frozen
class ContractCheck(Rendered):
    """The verdict on a proposed contract, its violations and its table of objectives."""

    type: str
    valide: bool
    verifications: tuple[Finding, ...]
    tableau: tuple[Mapping[str, Value], ...]
    contrat: Mapping[str, Value]
    periode: TriennialPeriod
    regime: LawRegime
    communes: tuple[Evaluation, ...]
    agregats: tuple[AggregateResult, ...]
    rulebook: RuleBook = attrs.field(repr=False, eq=False)
    #: Every period the contract covers, in order (one, unless the file gives ``periodes``).
    periodes: tuple[TriennialPeriod, ...] = ()
    #: For a contract covering several periods, the check of each, under its own law and with its
    #: own EPCI totals; the fields above then give the first period's ``periode``, ``regime`` and
    #: ``agregats`` and every period's verdict, findings, rows and communes.
    par_periode: tuple["ContractCheck", ...] = ()

    @property
    def violations(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.verifications if f.statut == VIOLEE)

    @property
    def indeterminees(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.verifications if f.statut == NON_VERIFIABLE)

    def csv(self) -> str:
        """The table of objectives as CSV, one row per commune and the totals."""
        text: str = render(self, "csv")
        return text


def check_contract(
    data: Mapping[str, Any],
    periode: str | None = None,
    conventions: Mapping[str, str] | None = None,
    *,
    rulebook: RuleBook | None = None,
) -> ContractCheck:
    """Check a proposed contract; raises :class:`~cms_law.errors.InputError` for a malformed file.

    A contract covering several triennial periods lists them under ``periodes``; each commune
    may give, under its own ``periodes``, what differs in one of them (its objective retained, its
    inventory). Each period is checked under its law, and a derogation whose duration the rules
    count (``compteur``) is counted across the contract's periods: a commune whose objective was
    lowered in one period enters the next with one more period of lowering."""
    book = rulebook or load_rulebook()
    raw_periods = data.get(PERIODS_KEY) if isinstance(data, Mapping) else None
    if raw_periods is None:
        return _check_period(book, data, periode, conventions, 1)[0]
    periods = _periods(book, raw_periods, periode)
    carried: dict[tuple[int, str], int] = {}
    checks = []
    for period in periods:
        try:
            check, members = _check_period(book, _for_period(data, str(period), carried), str(period),
                                           conventions, len(periods))
        except InputError as error:
            raise InputError([Problem(p.champ, f"période {period} : {p.message}", p.recu)
                              for p in error.problemes]) from None
        checks.append(check)
        _carry(book, check.type, members, carried)
    first = checks[0]
    return attrs.evolve(
        first,
        valide=all(check.valide for check in checks),
        verifications=tuple(attrs.evolve(f, periode=str(c.periode)) for c in checks for f in c.verifications),
        tableau=tuple({"periode": str(c.periode), **row} for c in checks for row in c.tableau),
        communes=tuple(e for c in checks for e in c.communes),
        periodes=tuple(periods),
        par_periode=tuple(checks),
    )


def _periods(book: RuleBook, raw: object, periode: str | None) -> list[TriennialPeriod]:
    """The contract's periods: consecutive triennial periods, in order."""
    if periode is not None:
        raise InputError([Problem(PERIODS_KEY, "donner la période (--periode) ou la liste periodes du contrat, pas les deux", raw)])
    if not isinstance(raw, list) or not raw or not all(isinstance(p, str) for p in raw):
        raise InputError([Problem(PERIODS_KEY, "une liste non vide de périodes triennales (AAAA-AAAA) est attendue", raw)])
    periods = [parse_period(book, text) for text in raw]
    for before, after in zip(periods, periods[1:]):
        if after.debut != before.fin + 1:
            raise InputError([Problem(PERIODS_KEY, f"les périodes d'un contrat se suivent : {after} ne suit pas {before}", raw)])
    return periods


def _for_period(data: Mapping[str, Any], period: str, carried: Mapping[tuple[int, str], int]) -> dict[str, Any]:
    """The contract as a one-period file: each commune's fields for that period, and the
    durations counted in the contract's earlier periods."""
    one = {key: value for key, value in data.items() if key != PERIODS_KEY}
    communes = []
    for index, raw in enumerate(one.get(COMMUNES_KEY) or [], start=1):
        if not isinstance(raw, Mapping):
            communes.append(raw)
            continue
        own = raw.get(PERIODS_KEY) or {}
        if not isinstance(own, Mapping) or not set(own) <= set(data[PERIODS_KEY]):
            raise InputError([Problem(f"{COMMUNES_KEY}[{index}].{PERIODS_KEY}",
                                      "un dictionnaire dont les clés sont des périodes du contrat est attendu", own)])
        commune = {key: value for key, value in raw.items() if key != PERIODS_KEY}
        commune.update(own.get(period) or {})
        commune.update({name: count for (position, name), count in carried.items() if position == index})
        communes.append(commune)
    one[COMMUNES_KEY] = communes
    return one


def _carry(book: RuleBook, contract_type: str, members: tuple[Member, ...], carried: dict[tuple[int, str], int]) -> None:
    """After one period: for each derogation the contract type uses, each commune's consecutive
    periods of use (one more if this period used it, none otherwise)."""
    for derogation in book.derogations:
        if derogation.contrat != contract_type or derogation.utilisee is None or derogation.compteur is None:
            continue
        field = next(f for f in book.entrees if f.cle == derogation.compteur)
        for index, member in enumerate(members, start=1):
            before = member.evaluation.valeurs.get(field.variable)
            if before is None:
                before = member.evaluation.commune.get(field.cle, field.defaut)
            try:
                used = expressions.condition(derogation.utilisee.evaluate(_commune_values(member, {}).get))
            except expressions.Unknown:
                continue
            carried[(index, derogation.compteur)] = int(before) + 1 if used else 0  # type: ignore[arg-type]


def _check_period(
    book: RuleBook, data: Mapping[str, Any], periode: str | None, conventions: Mapping[str, str] | None,
    periods: int,
) -> tuple[ContractCheck, tuple[Member, ...]]:
    members = evaluate_members(
        book,
        data,
        periode,
        conventions,
        (*book.entrees_epci, *book.entrees_contrat),
        book.entrees_contrat_commune,
        {ARRONDISSEMENTS_KEY: book.entrees_arrondissement},
    )
    day = members.period.date_reference
    context = {**shared_values(book, members), PERIODS_VARIABLE: periods}
    communes = tuple(_with_arrondissements(book, member, day, context) for member in members.communes)
    aggregates = tuple(aggregate(a, communes, context) for a in book.aggregates_at(day, pour="contrat"))
    # A verification must not rest on a figure that leaves out a commune the data cannot place.
    contract_values = {**context, **{result.aggregate.nom: result.valeur_certaine for result in aggregates}}
    contract_type = str(contract_values[TYPE_VARIABLE])
    findings: list[Finding] = []
    for verification in book.verifications_at(day, contract_type):
        scopes: list[tuple[str | None, str, Mapping[str, Value]]]
        if verification.portee == "commune":
            scopes = [(m.nom, f"{COMMUNES_KEY}[{index}].", _commune_values(m, contract_values))
                      for index, m in enumerate(communes, start=1)]
        else:
            scopes = [(None, "", ChainMap(contract_values))]
        findings += [_check(book, verification, commune, where, values) for commune, where, values in scopes]
    return ContractCheck(
        periodes=(members.period,),
        type=contract_type,
        valide=all(f.statut in (RESPECTEE, SANS_OBJET) for f in findings),
        verifications=tuple(findings),
        tableau=contract_table(book.tableau_contrat, communes, context),
        contrat=members.fields,
        periode=members.period,
        regime=members.regime,
        communes=tuple(member.evaluation for member in communes),
        agregats=aggregates,
        rulebook=book,
    ), communes


def _with_arrondissements(book: RuleBook, member: Member, day: Any, context: Mapping[str, Value]) -> Member:
    """The commune with the aggregates over its arrondissements added to its contract values."""
    arrondissements = member.items.get(ARRONDISSEMENTS_KEY, ())
    figures = {
        a.nom: aggregate(a, arrondissements, context).valeur_certaine
        for a in book.aggregates_at(day, pour=ARRONDISSEMENTS_KEY)
    }
    return attrs.evolve(member, extra={**member.extra, **figures})


def _commune_values(member: Member, shared: Mapping[str, Value]) -> ChainMap[str, Value]:
    """What a verification reads for one commune: the contract's values for it, its evaluation,
    then what the contract shares (an unknown figure of the commune never hides a contract field)."""
    known: dict[str, Value] = {name: value for name, value in member.evaluation.valeurs.items() if value is not None}
    return ChainMap(dict(member.extra), known, dict(shared))


def _check(
    book: RuleBook, verification: Verification, commune: str | None, where: str, values: Mapping[str, Value]
) -> Finding:
    """One verification for one commune (or the contract): its outcome and its French text."""
    try:
        if verification.si is not None and not expressions.condition(verification.si.evaluate(values.get)):
            return Finding(verification, commune, _fill(book, verification.sans_objet or "", values), SANS_OBJET)
        holds = expressions.condition(verification.condition.evaluate(values.get))
    except expressions.Unknown as unknown:
        return Finding(verification, commune, _unknown_text(book, unknown.name, where, values), NON_VERIFIABLE)
    except expressions.ExpressionError as error:
        raise EvaluationError(verification.id, str(error)) from None
    if holds:
        return Finding(verification, commune, _fill(book, verification.libelle, values), RESPECTEE)
    return Finding(verification, commune, _fill(book, verification.message, values), VIOLEE)


def _fill(book: RuleBook, template: str, values: Mapping[str, Value]) -> str:
    return fill(template, values.get, book.type_of)


def _unknown_text(book: RuleBook, name: str, where: str, values: Mapping[str, Value]) -> str:
    """What is missing, by the fields the user gives: the input's key (prefixed by the commune's
    place in the file); for a computed figure, the missing inputs it is computed from."""
    label = book.label_of(name)
    fields = _input_fields(book, where)
    if name in fields:
        return f"non vérifiable : donner « {label} » (champ {fields[name]})"
    missing = sorted({fields[n] for n in _sources(book, name) if n in fields and values.get(n) is None})
    needed = f" : donner {', '.join(f'le champ {key}' for key in missing)}" if missing else ""
    return f"non vérifiable : « {label} » ({name}) n'est pas connu{needed}"


def _input_fields(book: RuleBook, where: str) -> dict[str, str]:
    """Each input a user gives, by its variable: its key as the file spells it."""
    keys: dict[str, str] = {}
    for fields, prefix in ((book.entrees_contrat, ""), (book.entrees_epci, ""),
                           (book.entrees_contrat_commune, where), (book.entrees, where)):
        keys.update({field.variable: f"{prefix}{field.cle}" for field in fields})
    return keys


def _sources(book: RuleBook, name: str) -> set[str]:
    """Every name a figure is computed from, through the rules, derogations and aggregates."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for rule in book.regles:
            if current in rule.alors:
                todo += rule.reads
        for derogation in book.derogations:
            if derogation.variable_ouverte == current:
                todo += [n for c in derogation.conditions for n in c.condition.names]
        for definition in book.agregats:
            if definition.nom == current:
                todo += [*definition.expression.names, *(definition.parmi.names if definition.parmi else ())]
    return seen


def contract_table(
    columns: tuple[TableColumn, ...], communes: tuple[Member, ...], context: Mapping[str, Value]
) -> tuple[Mapping[str, Value], ...]:
    """The model contract's table: one row per commune, then the total row. ``context`` gives
    what all share (parameters, conventions: the typology's shares and roundings)."""
    rows = []
    for member in communes:
        row: dict[str, Value] = {"commune": member.nom}
        values = _commune_values(member, context)
        for column in columns:
            try:
                row[column.cle] = column.valeur.evaluate(values.get)
            except (expressions.Unknown, expressions.ExpressionError):
                # Unknown data, or a rate over zero missing dwellings: the cell stays empty.
                row[column.cle] = None
        rows.append(row)
    totals: dict[str, Value] = {"commune": "Total"}
    for column in columns:
        if column.total is None:
            known = [row[column.cle] for row in rows if row[column.cle] is not None]
            total = sum((Fraction(v) for v in known), Fraction(0))  # type: ignore[arg-type]
            totals[column.cle] = int(total) if total.denominator == 1 else total
    for column in columns:
        if column.total is not None:
            try:
                totals[column.cle] = column.total.evaluate(totals.get)
            except (expressions.Unknown, expressions.ExpressionError):
                totals[column.cle] = None
    return (*rows, totals)
