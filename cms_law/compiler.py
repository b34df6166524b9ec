"""Compiling rules into a ``durable_rules`` ruleset, and running it safely.

How the rules map onto the engine
---------------------------------
The engine sees *readiness*, never numbers: ``durable_rules`` turns numbers into C doubles and
rejects ``Decimal``, so exact values stay in Python, in the :class:`_Session` of the evaluation.

* A fact ``{"t": "v", "n": NAME}`` says that NAME is settled (its value, possibly « unknown », is in
  the session).
* Each rule becomes an engine rule that joins the facts of every name it reads. When it fires,
  the action evaluates the rule's condition and formulas exactly and records the outcome as a
  *candidate* for each name it concludes.
* A name concluded by one rule only is settled by that rule's action. A name concluded by several
  rules gets a resolution rule joining all their candidate facts ``{"t": "c", "n": NAME, "r": RULE}``:
  it fires only once every candidate has been weighed, keeps the applicable ones that no other
  applicable one overrides (``exception_de``), and settles the name. Rules left standing that
  agree are all reasons for the value; rules left standing that disagree are a conflict, an error
  naming both citations.

Because a name is settled once, and only after everything it depends on, the result does not
depend on the order in which facts are asserted, and no conclusion ever needs withdrawing — which
matters, since the engine has no truth maintenance.

The engine's sharp edges, handled here
--------------------------------------
* Its host starts dispatcher threads that make concurrent callers crash: :class:`_PrivateHost`
  starts none, and every call into the engine holds one process-wide lock.
* A ruleset holds at most 1 024 live sessions: each evaluation opens one session and deletes it
  in ``finally``, whatever happens.
* Exceptions raised in actions are swallowed into the session state: actions catch them
  themselves and the runner re-raises them as :class:`~cms_law.errors.EvaluationError` naming the rule.
* Ruleset names are process-global: each compiled ruleset gets a fresh, unique name.
* A fact that no rule matches makes the engine raise, after which deleting the session crashes
  the process: only facts that some rule consumes are ever asserted, each exactly once.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
from durable import engine

from . import expressions
from .errors import CmsLawError, EvaluationError, RuleConflictError
from .expressions import Value
from .model import Rule

#: Engine calls are serialised: the C engine is not safe for concurrent callers.
_ENGINE_LOCK = threading.Lock()
_RULESET_NAMES = itertools.count(1)
_SESSION_IDS = itertools.count(1)


class _PrivateHost(engine.Host):  # type: ignore[misc]
    """A durable_rules host without the background dispatcher and timer threads."""

    def _run(self) -> None:
        """Dispatching happens synchronously in ``assert_facts``; no thread is started."""


@attrs.frozen
class Outcome:
    """What one rule did in one evaluation."""

    rule: Rule
    applied: bool
    values: Mapping[str, Value]
    inputs: Mapping[str, Value]
    missing: str | None = None


@attrs.define
class _Session:
    """The exact values and the trace of one evaluation, kept outside the engine."""

    values: dict[str, Value]
    origins: dict[str, str] = attrs.Factory(dict)
    outcomes: dict[str, Outcome] = attrs.Factory(dict)
    order: list[str] = attrs.Factory(list)
    error: CmsLawError | None = None

    def lookup(self, name: str) -> Value:
        return self.values.get(name)


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
        self._settled_names = set(self.given) | set(self._producers)
        self._consumed = {name for rule in self.rules for name in rule.reads if name in self._settled_names}
        self._sessions: dict[str, _Session] = {}
        self._host = _PrivateHost()
        self._host.register_rulesets({self.name: self._definition()})

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
            reads = sorted(name for name in rule.reads if name in self._settled_names)
            patterns = [{f"v{i}": {"$and": [{"t": "v"}, {"n": name}]}} for i, name in enumerate(reads)]
            definition[f"r{index}"] = {
                "all": patterns or [{"start": {"t": "start"}}],
                "run": self._rule_action(rule),
            }
        for name, producers in self._producers.items():
            if len(producers) > 1:
                patterns = [
                    {f"c{i}": {"$and": [{"t": "c"}, {"n": name}, {"r": rule.id}]}}
                    for i, rule in enumerate(producers)
                ]
                definition[f"resolve_{name}"] = {"all": patterns, "run": self._resolution_action(name)}
        return definition

    # ------------------------------------------------------------------ actions

    def _guarded(self, label: str, body: Callable[[Any, _Session], None]) -> Callable[[Any], None]:
        """Wrap an action so that its errors are recorded for the caller, never swallowed."""

        def action(closure: Any) -> None:
            session = self._sessions[closure.s.sid]
            if session.error is not None:
                return
            try:
                body(closure, session)
            except CmsLawError as error:
                session.error = error
            except Exception as error:  # noqa: BLE001 - re-raised by run() with the rule's name
                session.error = EvaluationError(label, f"{type(error).__name__} : {error}")

        return action

    def _rule_action(self, rule: Rule) -> Callable[[Any], None]:
        def body(closure: Any, session: _Session) -> None:
            outcome = self._weigh(rule, session)
            session.outcomes[rule.id] = outcome
            for name in rule.alors:
                if len(self._producers[name]) == 1:
                    self._settle(closure, session, name, [outcome] if outcome.applied else [])
                else:
                    self._assert(closure, {"t": "c", "n": name, "r": rule.id})

        return self._guarded(rule.id, body)

    def _weigh(self, rule: Rule, session: _Session) -> Outcome:
        """Evaluate the rule exactly; a condition on unknown data means « does not apply »."""
        inputs = {name: session.lookup(name) for name in sorted(rule.reads)}
        try:
            if rule.si is not None and not _as_condition(rule, rule.si.evaluate(session.lookup)):
                return Outcome(rule, False, {}, inputs)
            values = {name: formula.evaluate(session.lookup) for name, formula in rule.alors.items()}
        except expressions.Unknown as unknown:
            return Outcome(rule, False, {}, inputs, missing=unknown.name)
        except expressions.ExpressionError as error:
            raise EvaluationError(rule.id, f"{error} (fichier {rule.fichier})") from None
        return Outcome(rule, True, values, inputs)

    def _resolution_action(self, name: str) -> Callable[[Any], None]:
        def body(closure: Any, session: _Session) -> None:
            applicable = [
                session.outcomes[rule.id]
                for rule in self._producers[name]
                if session.outcomes[rule.id].applied
            ]
            winners = [
                outcome
                for outcome in applicable
                if not any(outcome.rule.id in self._overrides[other.rule.id] for other in applicable)
            ]
            disagreeing = [w for w in winners if w.values[name] != winners[0].values[name]]
            if disagreeing:
                first, second = winners[0].rule, disagreeing[0].rule
                raise RuleConflictError(
                    name,
                    [first.id, second.id],
                    [_first_citation(first), _first_citation(second)],
                )
            self._settle(closure, session, name, winners)

        return self._guarded(f"résolution de {name}", body)

    def _settle(self, closure: Any, session: _Session, name: str, outcomes: Sequence[Outcome]) -> None:
        """Record the value of ``name``; several outcomes here agree, and all count as reasons."""
        if outcomes:
            session.values[name] = outcomes[0].values[name]
            session.origins[name] = outcomes[0].rule.id
            for outcome in outcomes:
                if outcome.rule.id not in session.order:
                    session.order.append(outcome.rule.id)
        else:
            session.values[name] = None
        self._assert(closure, {"t": "v", "n": name})

    def _assert(self, closure: Any, fact: dict[str, str]) -> None:
        if fact["t"] == "c" or fact["n"] in self._consumed:
            closure.assert_fact(fact)

    # ------------------------------------------------------------------ running

    def run(self, given: Mapping[str, Value], fact_order: Sequence[int] | None = None) -> RunResult:
        """Settle every name from the ``given`` values (inputs, context, parameters, conventions).

        ``fact_order`` permutes the initial facts; tests use it to show that the order in which
        facts reach the engine does not change the result.
        """
        session = _Session(values=dict(given))
        facts = self._initial_facts()
        if fact_order is not None:
            facts = [facts[index] for index in fact_order]
        with _ENGINE_LOCK:
            sid = str(next(_SESSION_IDS))
            self._sessions[sid] = session
            try:
                self._host.assert_facts(self.name, [{"sid": sid, **fact} for fact in facts])
            finally:
                del self._sessions[sid]
                self._host.delete_state(self.name, sid)
        if session.error is not None:
            raise session.error
        unsettled = sorted(name for name in self._producers if name not in session.values)
        if unsettled:
            raise EvaluationError(
                self._producers[unsettled[0]][0].id,
                f"valeur(s) jamais établie(s) : {', '.join(unsettled)}",
            )
        applied = tuple(session.outcomes[rule_id] for rule_id in session.order)
        return RunResult(session.values, session.origins, applied)

    def _initial_facts(self) -> list[dict[str, str]]:
        """The facts that start a run: only ones some rule consumes (see the module's notes)."""
        facts = [{"t": "v", "n": name} for name in self.given if name in self._consumed]
        if any(not (rule.reads & self._settled_names) for rule in self.rules):
            facts.append({"t": "start"})
        return facts

    @property
    def initial_fact_count(self) -> int:
        return len(self._initial_facts())


def _as_condition(rule: Rule, value: Value) -> bool:
    if not isinstance(value, bool):
        raise EvaluationError(rule.id, f"la condition « si » doit valoir vrai ou faux, elle vaut {value!r}")
    return value


def _first_citation(rule: Rule) -> str:
    return rule.citations[0].court if rule.citations else rule.id
