"""Checking a proposed contrat de mixité sociale.

The contract file is an EPCI file (its fields and its ``communes``) with the contract's own fields
(``rules/vocabulaire.yaml``: ``contrat``) and, for each commune, the objective the contract sets
(``contrat_commune``). Each commune is evaluated; then every verification of ``rules/`` that
applies to the contract's type is checked, for each commune or for the whole contract, and every
violation is reported — never only the first. A verification the input cannot decide is reported
as such: the verdict is « valide » only when every verification holds.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import attrs

from . import expressions
from .epci import AggregateResult, Member, aggregate, evaluate_members, shared_values
from .errors import EvaluationError
from .expressions import Value
from .french import fill
from .loader import load_rulebook
from .model import Citation, Evaluation, LawRegime, RuleBook, TableColumn, TriennialPeriod, Verification
from .model.views import Rendered, render

#: The field of the contract that selects the verifications (its « type »).
TYPE_VARIABLE = "type_contrat"
#: The list a contract gives a commune with arrondissements (Paris, Lyon, Marseille).
ARRONDISSEMENTS_KEY = "arrondissements"


@attrs.frozen
class Finding:
    """A verification that failed (a violation) or that the input could not decide."""

    verification: Verification
    commune: str | None
    texte: str

    @property
    def citations(self) -> tuple[Citation, ...]:
        return self.verification.citations


@attrs.frozen
class ContractCheck(Rendered):
    """The verdict on a proposed contract, its violations and its table of objectives."""

    type: str
    valide: bool
    violations: tuple[Finding, ...]
    indeterminees: tuple[Finding, ...]
    tableau: tuple[Mapping[str, Value], ...]
    contrat: Mapping[str, Value]
    periode: TriennialPeriod
    regime: LawRegime
    communes: tuple[Evaluation, ...]
    agregats: tuple[AggregateResult, ...]
    rulebook: RuleBook = attrs.field(repr=False, eq=False)

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
    """Check a proposed contract; raises :class:`~cms_law.errors.InputError` for a malformed file."""
    book = rulebook or load_rulebook()
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
    context = shared_values(book, members)
    communes = tuple(_with_arrondissements(book, member, day, context) for member in members.communes)
    aggregates = tuple(aggregate(a, communes, context) for a in book.aggregates_at(day, pour="contrat"))
    # A verification must not rest on a figure that leaves out a commune the data cannot place.
    contract_values = {**context, **{result.aggregate.nom: result.valeur_certaine for result in aggregates}}
    contract_type = str(contract_values[TYPE_VARIABLE])
    violations: list[Finding] = []
    undecided: list[Finding] = []
    for verification in book.verifications_at(day, contract_type):
        scopes: list[tuple[str | None, Mapping[str, Value]]]
        if verification.portee == "commune":
            scopes = [(m.nom, ChainMap(dict(m.extra), dict(m.evaluation.valeurs), contract_values)) for m in communes]
        else:
            scopes = [(None, ChainMap(contract_values))]
        for commune, values in scopes:
            _check(book, verification, commune, values, violations, undecided)
    return ContractCheck(
        type=contract_type,
        valide=not violations and not undecided,
        violations=tuple(violations),
        indeterminees=tuple(undecided),
        tableau=contract_table(book.tableau_contrat, communes),
        contrat=members.fields,
        periode=members.period,
        regime=members.regime,
        communes=tuple(member.evaluation for member in communes),
        agregats=aggregates,
        rulebook=book,
    )


def _with_arrondissements(book: RuleBook, member: Member, day: Any, context: Mapping[str, Value]) -> Member:
    """The commune with the aggregates over its arrondissements added to its contract values."""
    arrondissements = member.items.get(ARRONDISSEMENTS_KEY, ())
    figures = {
        a.nom: aggregate(a, arrondissements, context).valeur_certaine
        for a in book.aggregates_at(day, pour=ARRONDISSEMENTS_KEY)
    }
    return attrs.evolve(member, extra={**member.extra, **figures})


def _check(
    book: RuleBook,
    verification: Verification,
    commune: str | None,
    values: Mapping[str, Value],
    violations: list[Finding],
    undecided: list[Finding],
) -> None:
    try:
        holds = expressions.condition(verification.condition.evaluate(values.get))
    except expressions.Unknown as unknown:
        label = book.label_of(unknown.name)
        undecided.append(Finding(verification, commune, f"non vérifiable : « {label} » ({unknown.name}) n'est pas connu"))
        return
    except expressions.ExpressionError as error:
        raise EvaluationError(verification.id, str(error)) from None
    if not holds:
        violations.append(Finding(verification, commune, fill(verification.message, values.get, book.type_of)))


def contract_table(columns: tuple[TableColumn, ...], communes: tuple[Member, ...]) -> tuple[Mapping[str, Value], ...]:
    """The model contract's table: one row per commune, then the total row."""
    rows = []
    for member in communes:
        row: dict[str, Value] = {"commune": member.nom}
        for column in columns:
            try:
                row[column.cle] = column.valeur.evaluate(member.lookup)
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
