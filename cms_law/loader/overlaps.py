"""Two rules in force together that conclude the same name, neither declared an exception of the
other (``exception_de``): can both apply to one commune? If so, and their values differ, the
evaluation stops with a conflict — better known when the rules are written.

* :func:`certain_overlaps`, run at every load: pairs whose conditions are the same (or absent):
  they always apply together, and the rule folder is refused.
* :func:`find_overlaps`, run by ``cms-law rules --verifier``: a search for a *witness*, values of
  the names the two conditions read under which both hold (Kleene's logic: a value may be
  unknown). Each name takes the values that decide the comparisons the conditions make — each
  constant it is compared with, and that constant plus or minus one step (1 for a count or a
  year, 0.0001 for a rate), a day for a date — besides unknown, and ``vrai``/``faux`` for a
  boolean, the options of a convention, the texts it is compared with (and another) for a text.
  Parameters take their value on the day both rules are first in force.

What it proves, and what not: a witness found is a combination of values under which both
conditions hold; the names it sets may be values other rules compute, so a witness is a *possible*
conflict, to be examined (it is not always a commune one can describe). No witness found means
that no combination of those boundary values satisfies both: it is a proof of exclusion for
conditions that compare names with constants (``taux >= 25 %``, ``soumise``, ``type == "x"``,
combined with et / ou / non), not for comparisons between two computed names or arithmetic on
them, which the search only tries at the boundary values of each name.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction
from typing import Any

import attrs

from .. import language
from ..expressions import Expression, ExpressionError, Unknown, Value
from ..model import Rule, RuleBook

#: The combinations of values tried for one pair of rules, at most.
MAX_TRIES = 200_000
_STEP: dict[str, int | Fraction] = {"entier": 1, "annee": 1, "taux": Fraction(1, 10_000), "points": Fraction(1, 10_000), "nombre": Fraction(1, 10_000)}


@attrs.frozen
class Overlap:
    """Two rules that may apply together to the same name, and the values under which they do."""

    premiere: Rule
    seconde: Rule
    noms: tuple[str, ...]
    jour: dt.date
    #: The witness: each name the conditions read and its value (None: unknown); None when the
    #: search gave up (more than MAX_TRIES combinations) without finding one.
    temoin: Mapping[str, Value] | None
    #: Whether the search covered every combination of boundary values.
    complet: bool = True


def candidate_pairs(book: RuleBook) -> Iterator[tuple[Rule, Rule, tuple[str, ...], dt.date]]:
    """Each pair of rules in force on a same day, concluding a same name, neither overriding the other."""
    seen: set[tuple[int, int]] = set()
    for day in sorted({rule.validite.debut for rule in book.regles}):
        rules = book.rules_at(day)
        overrides = _overrides(rules)
        for first, second in itertools.combinations(rules, 2):
            key = (id(first), id(second))
            shared = tuple(sorted(set(first.alors) & set(second.alors)))
            if not shared or key in seen or second.id in overrides[first.id] or first.id in overrides[second.id]:
                continue
            seen.add(key)
            yield first, second, shared, max(first.validite.debut, second.validite.debut)


def certain_overlaps(book: RuleBook) -> Iterator[tuple[Rule, Rule, tuple[str, ...]]]:
    """The pairs that always apply together (neither has a condition, or both have the same) and
    conclude a name by different formulas."""
    for first, second, shared, _ in candidate_pairs(book):
        if _source(first.si) == _source(second.si) and not _same_formulas(first, second, shared):
            yield first, second, shared


def _source(expression: Expression | None) -> str | None:
    return expression.source.strip() if expression is not None else None


def _same_formulas(first: Rule, second: Rule, shared: tuple[str, ...]) -> bool:
    return all(_source(first.alors[name]) == _source(second.alors[name]) for name in shared)


def find_overlaps(book: RuleBook) -> list[Overlap]:
    """Every candidate pair for which a witness was found, or the search was not complete."""
    found = []
    for first, second, shared, day in candidate_pairs(book):
        overlap = _search(book, first, second, shared, day)
        if overlap is not None:
            found.append(overlap)
    return found


def _overrides(rules: tuple[Rule, ...]) -> dict[str, set[str]]:
    """For each rule id, every rule id it overrides, directly or through another exception."""
    direct = {rule.id: set(rule.exception_de) for rule in rules}
    closure: dict[str, set[str]] = {}
    for rule_id in direct:
        reached, todo = set(), list(direct[rule_id])
        while todo:
            base = todo.pop()
            if base not in reached:
                reached.add(base)
                todo.extend(direct.get(base, ()))
        closure[rule_id] = reached
    return closure


def _search(book: RuleBook, first: Rule, second: Rule, shared: tuple[str, ...], day: dt.date) -> Overlap | None:
    """A witness under which both rules apply and conclude different values; None if there is none."""
    if _same_formulas(first, second, shared):
        return None  # the same value whenever both apply: the engine takes it, with both as reasons
    formulas = [(first.alors[name], second.alors[name]) for name in shared]
    conditions = [rule.si for rule in (first, second) if rule.si is not None]
    fixed = _fixed(book, day)
    read = {name for expression in [*conditions, *itertools.chain(*formulas)] for name in expression.names}
    names = sorted(read - fixed.keys())
    constants = _constants(conditions, fixed)
    choices = [_choices(book, name, constants.get(name, set())) for name in names]
    tries = 0
    for values in itertools.product(*choices):
        tries += 1
        if tries > MAX_TRIES:
            return Overlap(first, second, shared, day, None, complet=False)
        assignment = dict(zip(names, values))
        lookup = {**fixed, **assignment}.get
        if all(_holds(condition, lookup) for condition in conditions) and any(
            _value(one, lookup) != _value(other, lookup) for one, other in formulas
        ):
            return Overlap(first, second, shared, day, assignment)
    return None


def _value(formula: Expression, lookup: language.Lookup) -> object:
    try:
        return formula.evaluate(lookup)
    except Unknown:
        return None
    except ExpressionError as error:
        return error  # an error differs from every value (and from another error)


def _holds(condition: Expression, lookup: language.Lookup) -> bool:
    try:
        return language.condition(condition.evaluate(lookup)) is True
    except (Unknown, ExpressionError):
        return False


def _fixed(book: RuleBook, day: dt.date) -> dict[str, Value]:
    """What does not vary between communes on that day: the parameters."""
    return {name: value for name, value in book.parameters_at(day).items() if value is not None}


def _constants(conditions: Iterable[Expression], fixed: Mapping[str, Value]) -> dict[str, set[Value]]:
    """For each name, the constants the conditions compare it with."""
    found: dict[str, set[Value]] = {}

    def constant(node: language.Node) -> Value:
        if isinstance(node, language.Literal):
            return node.value
        if isinstance(node, language.Name):
            return fixed.get(node.name)
        if isinstance(node, language.Negative):
            inner = constant(node.operand)
            return -inner if language.is_number(inner) else None
        return None

    def walk(node: object) -> None:
        if isinstance(node, language.Comparison):
            for one, other in ((node.left, node.right), (node.right, node.left)):
                value = constant(other)
                if isinstance(one, language.Name) and one.name not in fixed and value is not None:
                    found.setdefault(one.name, set()).add(value)
        if attrs.has(type(node)):
            for field in attrs.fields(type(node)):  # type: ignore[arg-type]
                child = getattr(node, field.name)
                for item in child if isinstance(child, tuple) else (child,):
                    if isinstance(item, tuple):
                        for part in item:
                            walk(part)
                    else:
                        walk(item)

    for condition in conditions:
        walk(condition.tree)
    return found


def _choices(book: RuleBook, name: str, constants: set[Value]) -> list[Value]:
    """The values tried for a name: those deciding its comparisons, and unknown."""
    kind = book.type_of(name)
    if name in book.conventions:
        return list(sorted(book.conventions[name].options))
    values: list[Any] = []
    if kind == "booleen":
        values = [True, False]
    elif kind == "texte":
        values = sorted(str(c) for c in constants) + ["(autre texte)"]
    elif kind == "date":
        days = sorted(c for c in constants if isinstance(c, dt.date))
        values = sorted({d + dt.timedelta(days=step) for d in days for step in (-1, 0, 1)}) or [dt.date(2000, 1, 1)]
    else:
        step: int | Fraction = _STEP.get(kind or "", Fraction(1, 10_000))
        numbers = sorted(c for c in constants if language.is_number(c))
        values = sorted({c + delta for c in numbers for delta in (-step, 0, step)} | {0, 1})
    return [*values, None]
