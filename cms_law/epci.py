"""Evaluating the communes of an EPCI together.

Each commune is evaluated on its own (:func:`~cms_law.evaluator.evaluate`); then the rules'
aggregates (sums and counts over the communes, declared in ``rules/``) and the derogations that
exist only at the scale of the EPCI (a mutualising contract) are computed from those results.
Nothing here knows which figure the law sums, nor over which communes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any, Protocol

import attrs

from . import expressions
from .documents import keeping_lines
from .errors import EvaluationError, InputError, Problem
from .evaluator import derogation_results, evaluate, parse_period, regime_for, resolve_conventions
from .expressions import Value
from .french import french
from .inputs import parse_fields
from .loader import load_rulebook
from .model import Aggregate, DerogationResult, Evaluation, InputField, LawRegime, RuleBook, TriennialPeriod
from .model.views import Rendered

COMMUNES_KEY = "communes"


class Counted(Protocol):
    """What an aggregate runs over: a commune of a set, or an arrondissement of a commune."""

    @property
    def nom(self) -> str: ...

    def lookup(self, name: str) -> Value: ...


@attrs.frozen
class Item:
    """An entry of a list a contract gives a commune (an arrondissement), by rule variable."""

    values: Mapping[str, Value]
    label: str

    @property
    def nom(self) -> str:
        return self.label

    def lookup(self, name: str) -> Value:
        return self.values.get(name)


@attrs.frozen
class Member:
    """One commune of the set: its evaluation, the values a contract adds, and its lists."""

    evaluation: Evaluation
    extra: Mapping[str, Value]
    items: Mapping[str, tuple[Item, ...]] = attrs.Factory(dict)

    @property
    def nom(self) -> str:
        return str(self.evaluation.commune.get("nom"))

    def lookup(self, name: str) -> Value:
        return self.extra[name] if name in self.extra else self.evaluation.valeurs.get(name)


@attrs.frozen
class Members:
    """A set of communes read from a file: the set's own fields and each commune evaluated."""

    fields: Mapping[str, Value]  # by key, as given
    values: Mapping[str, Value]  # by rule variable, defaults filled in
    period: TriennialPeriod
    regime: LawRegime
    communes: tuple[Member, ...]


def evaluate_members(
    book: RuleBook,
    data: Mapping[str, Any],
    periode: str | None,
    conventions: Mapping[str, str] | None,
    set_fields: Sequence[InputField],
    commune_fields: Sequence[InputField] = (),
    commune_lists: Mapping[str, Sequence[InputField]] | None = None,
) -> Members:
    """Read the set's fields and evaluate each of its ``communes``; every problem of every
    commune is reported at once, its field prefixed by the commune's position
    (``communes[2].population``). ``commune_fields`` are read from each commune besides the
    commune description itself (a contract's objective for it), and ``commune_lists`` are lists
    of entries with their own fields (a contract's arrondissements)."""
    commune_lists = commune_lists or {}
    period = parse_period(book, periode)
    regime = regime_for(book, period)
    _, convention_problems = resolve_conventions(book, conventions)
    if convention_problems:  # reported once, not under each commune
        raise InputError(convention_problems)
    by_key, values, problems = parse_fields(set_fields, data, "epci", other_keys=[COMMUNES_KEY])
    if any(problem.champ == "fichier" for problem in problems):  # an empty file: nothing else to say
        raise InputError(problems)
    raw_communes = data.get(COMMUNES_KEY) if isinstance(data, Mapping) else None
    if not isinstance(raw_communes, list) or not raw_communes:
        problems.append(Problem(COMMUNES_KEY, "une liste non vide de communes est attendue", raw_communes))
        raise InputError(problems)
    inherited = _inherited_fields(book, values)
    inherited_from = {book_key: set_key for set_key, book_key in _inherited_keys(book, set_fields, values).items()}
    extra_keys = {field.cle for field in commune_fields} | set(commune_lists)
    members = []
    for index, raw in enumerate(raw_communes, start=1):
        where = f"{COMMUNES_KEY}[{index}]"
        if not isinstance(raw, Mapping):
            problems.append(Problem(where, "un dictionnaire de champs est attendu", raw))
            continue
        name = raw.get("nom")
        suffix = f" (commune {name})" if name else ""
        own = keeping_lines(raw, {k: v for k, v in raw.items() if k in extra_keys and k not in commune_lists})
        _, extra, extra_problems = parse_fields(commune_fields, own, where)
        problems += [Problem(f"{where}.{p.champ}", p.message + suffix, p.recu) for p in extra_problems]
        items: dict[str, tuple[Item, ...]] = {}
        for key, fields in commune_lists.items():
            entries = raw.get(key) or []
            if not isinstance(entries, list):
                problems.append(Problem(f"{where}.{key}", "une liste est attendue" + suffix, entries))
                continue
            parsed = []
            for position, entry in enumerate(entries, start=1):
                given, entry_values, entry_problems = parse_fields(fields, entry, f"{where}.{key}[{position}]")
                problems += [Problem(f"{where}.{key}[{position}].{p.champ}", p.message + suffix, p.recu)
                             for p in entry_problems]
                parsed.append(Item(entry_values, str(given.get("nom", position))))
            items[key] = tuple(parsed)
        own_fields = {k: v for k, v in raw.items() if k not in extra_keys}
        for key, value in inherited.items():
            if key in own_fields:
                field = next(f for f in book.entrees if f.cle == key)
                _, own, _ = parse_fields([field], {key: own_fields[key]}, where)
                if own.get(field.variable) not in (None, value):
                    problems.append(Problem(
                        f"{where}.{key}",
                        f"contredit le champ {inherited_from[key]} du fichier, qui vaut {french(value, field.type)} : donner la"
                        f" valeur une seule fois, ou la même{suffix}", own_fields[key]))
        try:
            described = keeping_lines(raw, {**inherited, **own_fields})
            members.append(Member(evaluate(described, periode, conventions, rulebook=book), extra, items))
        except InputError as error:
            problems += [Problem(f"{where}.{p.champ}", p.message + suffix, p.recu) for p in error.problemes]
    if problems:
        raise InputError(problems)
    return Members(by_key, values, period, regime, tuple(members))


def shared_values(book: RuleBook, members: Members) -> dict[str, Value]:
    """What every commune of the set shares: the set's fields, the parameters, the conventions."""
    conventions = members.communes[0].evaluation.conventions
    return {**members.values, **book.parameters_at(members.period.date_reference), **conventions}


def _inherited_keys(book: RuleBook, set_fields: Sequence[InputField], set_values: Mapping[str, Value]) -> dict[str, str]:
    """The set's key of each field its communes inherit, by the commune's key."""
    keys = {field.variable: field.cle for field in book.entrees}
    return {field.cle: keys[field.variable] for field in set_fields
            if field.variable in keys and set_values.get(field.variable) is not None}


def _inherited_fields(book: RuleBook, set_values: Mapping[str, Value]) -> dict[str, Value]:
    """The set's fields that set the same-named input of each commune, by that input's key."""
    keys = {field.variable: field.cle for field in book.entrees}
    return {keys[name]: value for name, value in set_values.items() if name in keys and value is not None}


@attrs.frozen
class AggregateResult:
    """An aggregate's value, the communes it counted, and those the input could not place."""

    aggregate: Aggregate
    valeur: Value
    contributions: tuple[tuple[str, Value], ...]
    indeterminees: tuple[str, ...]

    @property
    def valeur_certaine(self) -> Value:
        """The value when every member could be placed, else unknown (``None``)."""
        return None if self.indeterminees else self.valeur


def aggregate(
    definition: Aggregate, communes: Sequence[Counted], context: Mapping[str, Value]
) -> AggregateResult:
    """Sum or count over the communes meeting ``parmi``; a commune the input cannot place is
    listed as undetermined and left out, so the figure never pretends to more than it knows.
    ``context`` gives what is the same for all (parameters, conventions)."""
    contributions: list[tuple[str, Value]] = []
    undetermined: list[str] = []
    for member in communes:

        def lookup(name: str, member: Counted = member) -> Value:
            value = member.lookup(name)
            return context.get(name) if value is None else value

        try:
            if definition.parmi is not None and not expressions.condition(definition.parmi.evaluate(lookup)):
                continue
            value = definition.expression.evaluate(lookup)
            if definition.operation == "compte":
                value = 1 if expressions.condition(value) else None
        except expressions.Unknown:
            undetermined.append(member.nom)
            continue
        except expressions.ExpressionError as error:
            raise EvaluationError(f"agrégat {definition.nom}", str(error)) from None
        if value is not None:
            contributions.append((member.nom, value))
    total = sum((Fraction(value) for _, value in contributions), Fraction(0))  # type: ignore[arg-type]
    return AggregateResult(
        aggregate=definition,
        valeur=int(total) if total.denominator == 1 else total,
        contributions=tuple(contributions),
        indeterminees=tuple(undetermined),
    )


@attrs.frozen
class EpciEvaluation(Rendered):
    """The communes of an EPCI evaluated for one period, with the EPCI-wide figures."""

    epci: Mapping[str, Value]
    periode: TriennialPeriod
    regime: LawRegime
    communes: tuple[Evaluation, ...]
    agregats: tuple[AggregateResult, ...]
    derogations: tuple[DerogationResult, ...]
    rulebook: RuleBook = attrs.field(repr=False, eq=False)

    def __getitem__(self, name: str) -> Value:
        """An aggregate's value, by name."""
        return next(result.valeur for result in self.agregats if result.aggregate.nom == name)


def evaluate_epci(
    data: Mapping[str, Any],
    periode: str | None = None,
    conventions: Mapping[str, str] | None = None,
    *,
    rulebook: RuleBook | None = None,
) -> EpciEvaluation:
    """Evaluate an EPCI described by its own fields (``rules/vocabulaire.yaml``, ``epci``) and
    its ``communes`` (each a commune description)."""
    book = rulebook or load_rulebook()
    members = evaluate_members(book, data, periode, conventions, book.entrees_epci)
    day = members.period.date_reference
    context = shared_values(book, members)
    aggregates = tuple(aggregate(a, members.communes, context) for a in book.aggregates_at(day))
    # The EPCI-level derogations read only figures that count every commune (see valeur_certaine).
    values: dict[str, Value] = {**context, **{result.aggregate.nom: result.valeur_certaine for result in aggregates}}
    return EpciEvaluation(
        epci=members.fields,
        periode=members.period,
        regime=members.regime,
        communes=tuple(member.evaluation for member in members.communes),
        agregats=aggregates,
        derogations=derogation_results(book, day, values, pour="epci"),
        rulebook=book,
    )
