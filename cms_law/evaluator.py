"""Evaluating a commune: from its description and a period to an explained :class:`Evaluation`.

This module strings the steps together — read the period, pick the law in force, check the
input, run the compiled rules, build the explanation — and knows nothing of the law itself:
every rate, threshold and date comes from ``rules/``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from . import expressions
from .compiler import CompiledRuleset
from .errors import InputError, Problem, shown
from .expressions import Value
from .french import fill, french
from .inputs import parse_commune
from .loader import load_rulebook
from .model import (
    CheckedCondition,
    Derogation,
    DerogationResult,
    Evaluation,
    LawRegime,
    Rule,
    RuleBook,
    TriennialPeriod,
)
from .model.results import A_L_APPRECIATION_DU_PREFET, FERMEE, INDETERMINEE, OUVERTE
from .reasoning import build_explanation, derogation_text
from .whynot import rules_not_applied

_PERIOD = re.compile(r"^\s*([0-9]{4})\s*-\s*([0-9]{4})\s*$")
_DATE = re.compile(r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$")
# Per book (hashed by identity), held weakly: a book no longer used takes its compiled rulesets
# with it, so loading rule books again and again does not grow memory.
_COMPILED: weakref.WeakKeyDictionary[RuleBook, dict[tuple[tuple[str, ...], tuple[str, ...]], CompiledRuleset]]
_COMPILED = weakref.WeakKeyDictionary()
_COMPILED_BY_DAY: weakref.WeakKeyDictionary[RuleBook, dict[dt.date, CompiledRuleset]] = weakref.WeakKeyDictionary()
_IN_FORCE: weakref.WeakKeyDictionary[RuleBook, dict[tuple[str, dt.date], tuple[tuple[Any, ...], expressions.Conditions]]]
_IN_FORCE = weakref.WeakKeyDictionary()
_COMPILE_LOCK = threading.Lock()


def parse_period(book: RuleBook, text: str | None) -> TriennialPeriod:
    """Read ``AAAA-AAAA`` (the rules' default period when ``None``) and the day the law is read at."""
    text = book.periode["defaut"] if text is None else text
    match = _PERIOD.match(text) if isinstance(text, str) else None
    if not match:
        given = "" if isinstance(text, str) else f", reçu {_given(text)}"
        raise InputError([Problem("periode", f"une période de la forme AAAA-AAAA est attendue (ex. 2023-2025){given}", text)])
    start, end = int(match.group(1)), int(match.group(2))
    context = {"periode_debut": start, "periode_fin": end}
    try:
        day = book.periode["date_reference"].evaluate(context.get)
    except (expressions.ExpressionError, expressions.Unknown) as error:
        raise InputError([Problem("periode", f"période invalide : {error}", text)]) from None
    return TriennialPeriod(start, end, day)


def regime_for(book: RuleBook, period: TriennialPeriod) -> LawRegime:
    regime = book.regime_at(period.date_reference)
    if regime is None:
        covered = ", ".join(
            f"{r.validite.debut.isoformat()} – {r.validite.fin.isoformat() if r.validite.fin else '…'}"
            for r in book.regimes
        )
        raise InputError(
            [
                Problem(
                    "periode",
                    f"aucune version de la loi encodée ne s'applique au {french(period.date_reference, 'date')}"
                    f" (versions encodées : {covered})",
                    str(period),
                )
            ]
        )
    return regime


def compiled_for(book: RuleBook, period: TriennialPeriod) -> CompiledRuleset:
    """The ruleset of the rules in force at the period's reference date, compiled once and shared
    by every date that has the same rules."""
    by_day = _COMPILED_BY_DAY.get(book)
    compiled = by_day.get(period.date_reference) if by_day is not None else None
    if compiled is not None:
        return compiled
    given = [*(field.variable for field in book.entrees), *book.contexte, *_parameter_names(book), *book.conventions]
    compiled = _compiled(book, book.rules_at(period.date_reference), given)
    with _COMPILE_LOCK:
        _COMPILED_BY_DAY.setdefault(book, {})[period.date_reference] = compiled
    return compiled


def _compiled(book: RuleBook, rules: Sequence[Rule], given: Sequence[str]) -> CompiledRuleset:
    """A ruleset compiled once per set of rule versions (and what they are given)."""
    key = (tuple(f"{rule.id}@{rule.validite.debut}" for rule in rules), tuple(given))
    with _COMPILE_LOCK:
        compiled = _COMPILED.setdefault(book, {})
        if key not in compiled:
            compiled[key] = CompiledRuleset(rules, given)
        return compiled[key]


def _parameter_names(book: RuleBook) -> list[str]:
    """Each parameter name once, though several article versions may set it."""
    return list(dict.fromkeys(parameter.nom for parameter in book.parametres))


def period_of_date(book: RuleBook, day: dt.date) -> str:
    """The triennial period (``AAAA-AAAA``) containing ``day``, as the rules in force that day count them."""
    bounds = book.periode["periode_de_la_date"]  # the names the rules conclude for it (lois.yaml)
    rules = tuple(rule for rule in book.rules_at(day) if set(bounds) & set(rule.alors))
    if rules:
        compiled = _compiled(book, rules, [*book.contexte, *_parameter_names(book)])
        values = compiled.run({**book.parameters_at(day), "date_evaluee": day}).values
        start, end = (values.get(name) for name in bounds)
        if start is not None and end is not None:
            return f"{start}-{end}"
    raise InputError(
        [Problem("date", f"aucune période triennale de la loi encodée ne contient le {french(day, 'date')}", day)]
    )


def parse_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    expected = f"une date de la forme AAAA-MM-JJ est attendue (ex. 2021-06-01), reçu {_given(value)}"
    if not isinstance(value, str) or not _DATE.match(value):
        raise InputError([Problem("date", expected, value)])
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError([Problem("date", expected, value)]) from None


def _given(value: object) -> str:
    """What the caller gave, for a message: a short prefix of a text, the kind of anything else
    (a Python caller may pass any object)."""
    return f"« {shown(value)} »" if isinstance(value, str) else f"{shown(value)} ({type(value).__name__})"


def conventions_from_pairs(pairs: Sequence[str], field: str = "--convention") -> dict[str, str]:
    """``NOM=OPTION`` pairs (``--convention``, or the query of an HTTP request) as a mapping."""
    chosen: dict[str, str] = {}
    for pair in pairs:
        name, separator, option = pair.partition("=")
        if not separator or not name or not option:
            raise InputError([Problem(field, "la forme NOM=OPTION est attendue", pair)])
        chosen[name.strip()] = option.strip()
    return chosen


def resolve_conventions(book: RuleBook, overrides: Mapping[str, str] | None) -> tuple[dict[str, str], list[Problem]]:
    chosen = {name: convention.defaut for name, convention in book.conventions.items()}
    if overrides is not None and not isinstance(overrides, Mapping):
        given = _given(overrides)
        return chosen, [Problem("conventions", f"un dictionnaire nom de convention → option est attendu, reçu {given}")]
    problems = []
    for name, option in (overrides or {}).items():
        if not isinstance(name, str) or not isinstance(option, str):
            problems.append(
                Problem(f"conventions.{shown(name)}", f"un nom et une option en texte sont attendus, reçu {_given(option)}")
            )
        elif name not in book.conventions:
            problems.append(
                Problem(f"conventions.{shown(name)}", f"convention inconnue (connues : {', '.join(book.conventions)})", option)
            )
        elif option not in book.conventions[name].options:
            options = ", ".join(book.conventions[name].options)
            problems.append(Problem(f"conventions.{shown(name)}", f"option inconnue (options : {options})", option))
        else:
            chosen[name] = option
    return chosen, problems


def evaluate(
    commune: Mapping[str, Any],
    periode: str | None = None,
    conventions: Mapping[str, str] | None = None,
    *,
    rulebook: RuleBook | None = None,
    date: dt.date | str | None = None,
    pourquoi_pas: bool = False,
) -> Evaluation:
    """Evaluate a commune for a triennial period (default: the rules' default period).

    ``commune`` is a description with the French keys of ``rules/vocabulaire.yaml`` (as read from
    a YAML or JSON file); ``conventions`` overrides conventions by name (``{"arrondi_objectifs":
    "plus_proche"}``). ``date`` (``AAAA-MM-JJ``), instead of ``periode``, evaluates the period that
    contains that day, under the law that governs that period. ``pourquoi_pas`` adds the rules in
    force that did not apply and the derogations' conditions not met, each with why. Raises
    :class:`~cms_law.errors.InputError` listing every problem of the input, each naming its field.
    """
    book = rulebook or load_rulebook()
    day = None
    if date is not None:
        if periode is not None:
            raise InputError([Problem("date", "donner la période ou la date, pas les deux", date)])
        day = parse_date(date)
        periode = period_of_date(book, day)
    period = parse_period(book, periode)
    regime = regime_for(book, period)
    by_key, values, problems = parse_commune(book, commune)
    chosen, convention_problems = resolve_conventions(book, conventions)
    problems += convention_problems
    given: dict[str, Value] = {
        **values,
        "periode_debut": period.debut,
        "periode_fin": period.fin,
        "date_reference": period.date_reference,
        "date_evaluee": day,
        **book.parameters_at(period.date_reference),
        **chosen,
    }
    # Checks run even when some fields are malformed (those read as unknown and their checks are
    # skipped), so that the user sees every problem at once.
    # A field already reported, or a file that could not be read at all, is not reported again
    # by the checks that read it.
    reported = {problem.champ for problem in problems}
    if "fichier" not in reported:
        problems += [problem for problem in _failed_checks(book, period, given) if problem.champ not in reported]
    if problems:
        raise InputError(problems)
    compiled = compiled_for(book, period)
    run = compiled.run(given)
    overridden = frozenset(name for name in chosen if chosen[name] != book.conventions[name].defaut)
    derogations = derogation_results(book, period.date_reference, run.values)
    values = dict(zip(book.variables, map(run.values.get, book.variables)))
    values.update({d.derogation.variable_ouverte: d.possible for d in derogations if d.derogation.variable_ouverte})
    why_not = None
    if pourquoi_pas:
        read = {**given, **run.values}
        applied = [outcome.rule for outcome in run.applied]
        why_not = rules_not_applied(book.rules_at(period.date_reference), applied, read, derogations)
    return Evaluation(
        commune=by_key,
        periode=period,
        regime=regime,
        valeurs=values,
        origines=run.origins,
        conventions=chosen,
        conventions_modifiees=overridden,
        explain=functools.partial(build_explanation, book, run, chosen, overridden),
        rulebook=book,
        derogations=derogations,
        pourquoi_pas=why_not,
    )


def derogation_results(
    book: RuleBook, day: dt.date, values: Mapping[str, Value], pour: str = "commune"
) -> tuple[DerogationResult, ...]:
    """Each derogation in force on ``day`` for a commune (or, ``pour="epci"``, for an EPCI), with
    each of its conditions found met, unmet or unknowable, and its state."""
    derogations, conditions = _in_force(book, "epci_derogations" if pour == "epci" else "derogations", day)
    truths = iter(conditions.truths(values.get))
    results = []
    for derogation in derogations:
        checked = tuple(CheckedCondition(condition, next(truths)) for condition in derogation.conditions)
        appreciation = None
        if derogation.appreciation is not None:
            appreciation = CheckedCondition(derogation.appreciation.cas, next(truths))
        etat = _state(checked, appreciation)
        results.append(
            DerogationResult(
                derogation=derogation,
                etat=etat,
                plancher=values.get(derogation.plancher) if derogation.plancher else None,  # type: ignore[arg-type]
                # At the préfet's discretion, how long it may last is his to say, not a count.
                periodes_restantes=(
                    values.get(derogation.periodes_restantes)  # type: ignore[arg-type]
                    if derogation.periodes_restantes and etat != A_L_APPRECIATION_DU_PREFET else None
                ),
                conditions=checked,
                appreciation=appreciation,
                render=functools.partial(derogation_text, book, derogation, etat, checked, appreciation, values.get),
            )
        )
    return tuple(results)


def _in_force(book: RuleBook, kind: str, day: dt.date) -> tuple[tuple[Any, ...], expressions.Conditions]:
    """The input checks (``kind`` "controles") or the derogations of a commune or an EPCI in force
    on ``day``, and all their conditions, in order, weighed by one function: made once per book,
    kind and day."""
    key = (kind, day)
    found = _IN_FORCE.get(book, {}).get(key)
    if found is not None:
        return found
    in_force, conditions_of = _KINDS[kind]
    items = in_force(book, day)
    built = (items, expressions.Conditions([owned for item in items for owned in conditions_of(item)]))
    with _COMPILE_LOCK:
        return _IN_FORCE.setdefault(book, {}).setdefault(key, built)


def _derogation_conditions(derogation: Derogation) -> list[tuple[str, expressions.Expression]]:
    cases = (*derogation.conditions, *((derogation.appreciation.cas,) if derogation.appreciation else ()))
    return [(derogation.id, case.condition) for case in cases]


#: What each kind of item in force is taken from, and the conditions (with their owner) it has.
_KINDS: dict[str, tuple[Callable[[RuleBook, dt.date], tuple[Any, ...]], Callable[[Any], list[tuple[str, expressions.Expression]]]]] = {
    "controles": (RuleBook.controles_at, lambda check: [(f"contrôle {check.champ} ({check.fichier})", check.condition)]),
    "derogations": (RuleBook.derogations_at, _derogation_conditions),
    "epci_derogations": (RuleBook.epci_derogations_at, _derogation_conditions),
}


def _state(conditions: Sequence[CheckedCondition], appreciation: CheckedCondition | None) -> str:
    """Closed if a condition fails, whatever the others; undetermined if one cannot be decided;
    else open, or at the préfet's discretion where the derogation's ``appreciation`` case is met."""
    met = [c.remplie for c in conditions]
    if False in met:
        return FERMEE
    if None in met:
        return INDETERMINEE
    if appreciation is None or appreciation.remplie is False:
        return OUVERTE
    return A_L_APPRECIATION_DU_PREFET if appreciation.remplie else INDETERMINEE


def _failed_checks(book: RuleBook, period: TriennialPeriod, given: Mapping[str, Value]) -> list[Problem]:
    """The input checks of the rules in force that the input fails (unknown data skips a check)."""
    checks, conditions = _in_force(book, "controles", period.date_reference)
    problems = []
    for check, holds in zip(checks, conditions.truths(given.get)):
        if holds is False:
            where = f" ({check.citations[0].court})" if check.citations else ""
            message = fill(check.message, given.get, book.type_of) + where
            problems.append(Problem(check.champ, message, given.get(check.champ)))
    return problems
