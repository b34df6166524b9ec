"""Compiling rules into a ``durable_rules`` ruleset, and running it safely.

How the rules map onto the engine
---------------------------------
The engine sees *readiness*, never numbers: ``durable_rules`` turns numbers into C doubles and
rejects ``Decimal``, so exact values stay in Python, in the :class:`_Session` of the evaluation.

* A fact ``{"t": "v", "n": NAME}`` says that a name concluded by rules is settled (its value,
  possibly « unknown », is in the session). Names known from the start — the input, the period,
  the parameters, the conventions — need no fact.
* Each rule becomes an engine rule that joins the facts of every concluded name it reads (a rule
  that reads only names known from the start waits for the single start fact). When it fires, the action evaluates the rule's condition and
  formulas exactly and records the outcome as a *candidate* for each name it concludes.
* A name concluded by one rule is settled by that rule's action. A name concluded by several rules
  is settled by the action of the last of them to fire: only then, with every candidate weighed,
  are the applicable ones that no other applicable one overrides (``exception_de``) kept. Rules
  left standing that agree are all reasons for the value; rules left standing that disagree are a
  conflict, an error naming both citations.

Because a name is settled once, and only after everything it depends on, the result does not
depend on the order in which facts are asserted or rules fire, and no conclusion ever needs
withdrawing — which matters, since the engine has no truth maintenance.

The engine's sharp edges, handled here
--------------------------------------
* Its host starts dispatcher threads that make concurrent callers crash: :class:`_PrivateHost`
  starts none, and every call into the engine holds one process-wide lock.
* A ruleset holds at most 1 024 live sessions: each evaluation opens one session and deletes it
  in ``finally``, whatever happens.
* Exceptions raised in actions are swallowed into the session state by its Python layer: this
  module drives the C engine's action loop itself (:meth:`CompiledRuleset._drain`), so an action's
  error is caught, the session closed, and the error raised as
  :class:`~cms_law.errors.EvaluationError` naming the rule. Driving the loop directly also spares
  each action the Python layer's per-action objects, clock reads and JSON round trips.
* Ruleset names are process-global: each compiled ruleset gets a fresh, unique name.
* A fact that no rule matches makes the engine raise, after which deleting the session crashes
  the process; so does the same fact asserted twice: only facts that some rule consumes are ever
  asserted, each exactly once.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from . import expressions
from ._vendor.durable_rules import durable_rules_engine, engine
from .errors import CmsLawError, EvaluationError, RuleConflictError
from .expressions import Value
from .model import Rule

#: Engine calls are serialised: the C engine is not safe for concurrent callers.
_ENGINE_LOCK = threading.Lock()
_RULESET_NAMES = itertools.count(1)
_SESSION_IDS = itertools.count(1)
#: What the C engine's assert calls answer when no rule takes the fact, or it was seen already.
_NOT_HANDLED, _ALREADY_OBSERVED = 1, 2


class _PrivateHost(engine.Host):  # type: ignore[misc]
    """A durable_rules host without the background dispatcher and timer threads."""

    def _run(self) -> None:
        """Actions run synchronously, driven by :meth:`CompiledRuleset._drain`; no thread starts."""


@attrs.frozen
class Outcome:
    """What one rule that applied concluded in one evaluation, and the values it read."""

    rule: Rule
    values: Mapping[str, Value]
    inputs: Mapping[str, Value]


@attrs.define
class _Session:
    """The exact values and the trace of one evaluation, kept outside the engine."""

    sid: str
    values: dict[str, Value]
    pending: dict[str, int]
    origins: dict[str, str] = attrs.Factory(dict)
    #: What each rule weighed so far concluded: its values, or ``None`` when it did not apply.
    weighed: dict[str, Mapping[str, Value] | None] = attrs.Factory(dict)
    #: The rules whose conclusions were kept, in the order they were settled (a dict as ordered set).
    order: dict[str, None] = attrs.Factory(dict)


@attrs.frozen
class RunResult:
    """The values settled by a run, the rule that settled each, and the rules that applied."""

    values: Mapping[str, Value]
    origins: Mapping[str, str]
    applied: tuple[Outcome, ...]


class CompiledRuleset:
    """The rules in force on one date, compiled to one durable_rules ruleset.

    ``run`` is safe to call from many threads at once.
    """

    def __init__(self, rules: Sequence[Rule], given: Sequence[str]) -> None:
        self.rules = tuple(rules)
        # The same fact asserted twice corrupts the engine's session: each name is given once.
        self.given = tuple(dict.fromkeys(given))
        self.name = f"cms_law_{next(_RULESET_NAMES)}"
        self._producers: dict[str, list[Rule]] = {}
        for rule in self.rules:
            for name in rule.alors:
                self._producers.setdefault(name, []).append(rule)
        both = sorted(set(self._producers) & set(self.given))
        if both:
            rule = self._producers[both[0]][0]
            raise EvaluationError(rule.id, f"« {both[0]} » est à la fois une donnée fournie et une conclusion de règle")
        self._overrides = self._exception_closure()
        self._consumed = {name for rule in self.rules for name in rule.reads if name in self._producers}
        self._reads = {rule.id: tuple(sorted(rule.reads)) for rule in self.rules}
        self._rules_by_id = {rule.id: rule for rule in self.rules}
        # The readiness fact of each consumed name, as JSON after the session id: built once here
        # rather than encoded again for every evaluation.
        self._fact_tails = {name: f'","t":"v","n":{json.dumps(name)}}}' for name in self._consumed}
        self._actions: dict[str, Callable[[_Session], None]] = {}
        host = _PrivateHost()
        host.register_rulesets({self.name: self._definition()})
        self._host = host
        self._handle = host.get_ruleset(self.name)._handle

    # ------------------------------------------------------------------ compilation

    def _exception_closure(self) -> dict[str, set[str]]:
        """For each rule id, every rule id it overrides, directly or through another exception."""
        direct = {rule.id: set(rule.exception_de) for rule in self.rules}
        closure: dict[str, set[str]] = {}

        def overridden(rule_id: str, seen: frozenset[str]) -> set[str]:
            if rule_id in closure:
                return closure[rule_id]
            result: set[str] = set()
            for base in direct.get(rule_id, ()):
                if base not in seen:
                    result |= {base} | overridden(base, seen | {base})
            closure[rule_id] = result
            return result

        for rule in self.rules:
            overridden(rule.id, frozenset({rule.id}))
        return closure

    def _definition(self) -> dict[str, Any]:
        definition: dict[str, Any] = {}
        for index, rule in enumerate(self.rules):
            reads = sorted(name for name in rule.reads if name in self._producers)
            patterns = [{f"v{i}": {"$and": [{"t": "v"}, {"n": name}]}} for i, name in enumerate(reads)]
            key = f"r{index}"
            self._actions[key] = self._rule_action(rule)
            # The engine requires a callable per rule; _drain dispatches to self._actions instead.
            definition[key] = {"all": patterns or [{"start": {"t": "start"}}], "run": _never_called}
        return definition

    # ------------------------------------------------------------------ actions

    def _rule_action(self, rule: Rule) -> Callable[[_Session], None]:
        def action(session: _Session) -> None:
            concluded = self._weigh(rule, session)
            session.weighed[rule.id] = concluded
            for name in rule.alors:
                producers = self._producers[name]
                if len(producers) == 1:
                    self._settle(session, name, [] if concluded is None else [rule])
                    continue
                session.pending[name] -= 1
                if session.pending[name] == 0:
                    self._resolve(session, name, producers)

        return action

    @staticmethod
    def _weigh(rule: Rule, session: _Session) -> Mapping[str, Value] | None:
        """Evaluate the rule exactly: the values it concludes, or ``None`` when it does not apply
        (its condition is false, or reads unknown data)."""
        lookup = session.values.get
        try:
            if rule.si is not None and not expressions.condition(rule.si.evaluate(lookup)):
                return None
            return {name: formula.evaluate(lookup) for name, formula in rule.alors.items()}
        except expressions.Unknown:
            return None
        except expressions.ExpressionError as error:
            raise EvaluationError(rule.id, f"{error} (fichier {rule.fichier})") from None

    def _resolve(self, session: _Session, name: str, producers: Sequence[Rule]) -> None:
        """Every candidate weighed: keep the applicable ones no applicable exception overrides."""
        applicable = [rule for rule in producers if session.weighed[rule.id] is not None]
        winners = [
            rule for rule in applicable if not any(rule.id in self._overrides[other.id] for other in applicable)
        ]
        value = _concluded(session, winners[0], name) if winners else None
        disagreeing = [rule for rule in winners if _concluded(session, rule, name) != value]
        if disagreeing:
            first, second = winners[0], disagreeing[0]
            raise RuleConflictError(name, [first.id, second.id], [_first_citation(first), _first_citation(second)])
        self._settle(session, name, winners)

    def _settle(self, session: _Session, name: str, reasons: Sequence[Rule]) -> None:
        """Record the value of ``name``; the rules given here agree, and all count as reasons."""
        if reasons:
            session.values[name] = _concluded(session, reasons[0], name)
            session.origins[name] = reasons[0].id
            session.order.update(dict.fromkeys(rule.id for rule in reasons))
        else:
            session.values[name] = None
        if name in self._consumed:
            self._assert(session.sid, name)

    # ------------------------------------------------------------------ running

    def _assert(self, sid: str, name: str) -> None:
        result = durable_rules_engine.assert_fact(self._handle, '{"sid":"' + sid + self._fact_tails[name])
        if result[0] in (_NOT_HANDLED, _ALREADY_OBSERVED):  # pragma: no cover - prevented by _consumed
            raise EvaluationError(name, "fait refusé par le moteur")

    def _drain(self, session: _Session, state_handle: int) -> None:
        """Run every action the engine schedules for the session, one after the other."""
        started = durable_rules_engine.start_action_for_state(self._handle, state_handle)
        if not started:
            return
        # The session's state is never changed by an action, so it is not written back.
        message = started[1]
        while message:
            action_name = _action_name(message)
            try:
                self._actions[action_name](session)
            except BaseException:
                durable_rules_engine.abandon_action(self._handle, state_handle)
                raise
            message = durable_rules_engine.complete_and_start_action(self._handle, state_handle)

    def run(self, given: Mapping[str, Value]) -> RunResult:
        """Settle every name from the ``given`` values (inputs, context, parameters, conventions)."""
        facts = self._initial_facts()
        pending = {name: len(rules) for name, rules in self._producers.items() if len(rules) > 1}
        with _ENGINE_LOCK:
            session = _Session(str(next(_SESSION_IDS)), dict(given), pending)
            try:
                result = durable_rules_engine.assert_facts(
                    self._handle, json.dumps([{"sid": session.sid, **fact} for fact in facts])
                )
                if result[0] in (_NOT_HANDLED, _ALREADY_OBSERVED):  # pragma: no cover
                    raise EvaluationError(self.name, "faits initiaux refusés par le moteur")
                self._drain(session, result[1])
            except CmsLawError:
                raise
            except Exception as error:  # noqa: BLE001 - any failure inside a rule names that rule
                raise EvaluationError(self._running_rule(session), f"{type(error).__name__} : {error}") from error
            finally:
                self._host.delete_state(self.name, session.sid)
        unsettled = sorted(name for name in self._producers if name not in session.values)
        if unsettled:
            raise EvaluationError(
                self._producers[unsettled[0]][0].id,
                f"valeur(s) jamais établie(s) : {', '.join(unsettled)}",
            )
        applied = tuple(self._outcome(session, rule_id) for rule_id in session.order)
        return RunResult(session.values, session.origins, applied)

    def _outcome(self, session: _Session, rule_id: str) -> Outcome:
        # Each name is settled once, before any rule reading it fires, and given values never
        # change: the final values are exactly those the rule read when it was weighed.
        inputs = {name: session.values.get(name) for name in self._reads[rule_id]}
        concluded = session.weighed[rule_id]
        assert concluded is not None, "only rules that applied are kept as reasons"
        return Outcome(self._rules_by_id[rule_id], concluded, inputs)

    def _running_rule(self, session: _Session) -> str:
        """The first rule not yet weighed when an unexpected error struck."""
        return next((rule.id for rule in self.rules if rule.id not in session.weighed), self.name)

    def _initial_facts(self) -> list[dict[str, str]]:
        """The facts that start a run: the start fact, if some rule waits for it (see the notes)."""
        return [{"t": "start"}] if any(not (rule.reads & set(self._producers)) for rule in self.rules) else []


def _action_name(message: str) -> str:
    """The action of an engine message ``{"r12":{…}}``, read without decoding the facts."""
    if not message.startswith('{"'):  # pragma: no cover - the engine's format, checked by tests
        raise EvaluationError("moteur", f"message inattendu du moteur : {message[:40]}")
    return message[2 : message.index('"', 2)]


def _never_called(closure: Any) -> None:  # pragma: no cover - see CompiledRuleset._definition
    raise AssertionError("actions are dispatched by CompiledRuleset._drain")


def _concluded(session: _Session, rule: Rule, name: str) -> Value:
    """The value ``rule``, which applied, concluded for ``name``."""
    concluded = session.weighed[rule.id]
    assert concluded is not None, "only rules that applied conclude values"
    return concluded[name]


def _first_citation(rule: Rule) -> str:
    return rule.citations[0].court if rule.citations else rule.id
