"""Evaluating the communes of an EPCI together.

Each commune is evaluated on its own (:func:`~cms_law.evaluator.evaluate`); then the rules'
aggregates (sums and counts over the communes, declared in ``rules/``) and the derogations that
exist only at the scale of the EPCI (a mutualising contract) are computed from those results.
Nothing here knows which figure the law sums, nor over which communes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from . import expressions
from .errors import EvaluationError, InputError, Problem
from .evaluator import derogation_results, evaluate, parse_period, regime_for
from .expressions import Value
from .inputs import parse_fields
from .loader import load_rulebook
from .model import Aggregate, DerogationResult, Evaluation, LawRegime, RuleBook, TriennialPeriod

COMMUNES_KEY = "communes"


@attrs.frozen
class AggregateResult:
    """An aggregate's value, the communes it counted, and those the input could not place."""

    aggregate: Aggregate
    valeur: Value
    contributions: tuple[tuple[str, Value], ...]
    indeterminees: tuple[str, ...]


@attrs.frozen
class EpciEvaluation:
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

    def as_dict(self) -> dict[str, Any]:
        from .explain import epci_as_dict

        return epci_as_dict(self)

    def to_json(self, indent: int | None = 2) -> str:
        from .explain import to_json

        return to_json(self.as_dict(), indent)

    def texte(self) -> str:
        from .explain import render_epci_text

        return render_epci_text(self)


def evaluate_epci(
    data: Mapping[str, Any],
    periode: str | None = None,
    conventions: Mapping[str, str] | None = None,
    *,
    rulebook: RuleBook | None = None,
) -> EpciEvaluation:
    """Evaluate an EPCI described by its own fields (``rules/vocabulaire.yaml``, ``epci``) and
    its ``communes`` (each a commune description). Every problem of every commune is reported at
    once, its field prefixed by the commune's position: ``communes[2].population``.
    """
    book = rulebook or load_rulebook()
    period = parse_period(book, periode)
    regime = regime_for(book, period)
    by_key, epci_values, problems = parse_fields(book.entrees_epci, data, "epci", other_keys=[COMMUNES_KEY])
    raw_communes = data.get(COMMUNES_KEY) if isinstance(data, Mapping) else None
    if not isinstance(raw_communes, list) or not raw_communes:
        problems.append(Problem(COMMUNES_KEY, "une liste non vide de communes est attendue", raw_communes))
        raise InputError(problems)
    inherited = _inherited_fields(book, epci_values)
    communes = []
    for index, commune in enumerate(raw_communes, start=1):
        try:
            described = {**inherited, **commune} if isinstance(commune, Mapping) else commune
            communes.append(evaluate(described, periode, conventions, rulebook=book))
        except InputError as error:
            name = commune.get("nom") if isinstance(commune, Mapping) else None
            problems += [
                Problem(f"{COMMUNES_KEY}[{index}].{p.champ}", f"{p.message}" + (f" (commune {name})" if name else ""), p.recu)
                for p in error.problemes
            ]
    if problems:
        raise InputError(problems)
    aggregates = tuple(aggregate(a, communes) for a in book.aggregates_at(period.date_reference))
    values: dict[str, Value] = {
        **epci_values,
        **book.parameters_at(period.date_reference),
        **{result.aggregate.nom: result.valeur for result in aggregates},
    }
    return EpciEvaluation(
        epci=by_key,
        periode=period,
        regime=regime,
        communes=tuple(communes),
        agregats=aggregates,
        derogations=derogation_results(book.epci_derogations_at(period.date_reference), book, values),
        rulebook=book,
    )


def _inherited_fields(book: RuleBook, epci_values: Mapping[str, Value]) -> dict[str, Value]:
    """The EPCI's fields that set the same-named input of each commune, by that input's key."""
    keys = {field.variable: field.cle for field in book.entrees}
    return {keys[name]: value for name, value in epci_values.items() if name in keys and value is not None}


def aggregate(definition: Aggregate, communes: Sequence[Evaluation]) -> AggregateResult:
    """Sum or count over the communes meeting ``parmi``; a commune the input cannot place is
    listed as undetermined and left out, so the figure never pretends to more than it knows."""
    contributions: list[tuple[str, Value]] = []
    undetermined: list[str] = []
    for evaluation in communes:
        name = str(evaluation.commune.get("nom"))
        lookup = evaluation.valeurs.get
        try:
            if definition.parmi is not None and not _condition(definition, definition.parmi.evaluate(lookup)):
                continue
            value = definition.expression.evaluate(lookup)
        except expressions.Unknown:
            undetermined.append(name)
            continue
        except expressions.ExpressionError as error:
            raise EvaluationError(f"agrégat {definition.nom}", str(error)) from None
        if definition.operation == "compte":
            if _condition(definition, value):
                contributions.append((name, 1))
        else:
            contributions.append((name, value))
    total = sum((Fraction(value) for _, value in contributions), Fraction(0))  # type: ignore[arg-type]
    return AggregateResult(
        aggregate=definition,
        valeur=int(total) if total.denominator == 1 else total,
        contributions=tuple(contributions),
        indeterminees=tuple(undetermined),
    )


def _condition(definition: Aggregate, value: Value) -> bool:
    if not isinstance(value, bool):
        raise EvaluationError(f"agrégat {definition.nom}", f"une condition doit valoir vrai ou faux, elle vaut {value!r}")
    return value
