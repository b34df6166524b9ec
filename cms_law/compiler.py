"""Compiling rules into a ``durable_rules`` ruleset, and running it safely.

How the rules map onto the engine
---------------------------------
The engine sees *readiness*, never numbers: ``durable_rules`` turns numbers into C doubles and
rejects ``Decimal``, so exact values stay in Python, in the :class:`_Session` of the evaluation.

* A fact ``{"t": "v", "n": NAME}`` says that a name concluded by rules is settled (its value,
  possibly « unknown », is in the session). Names known from the start — the input, the period,
  the parameters, the conventions — need no fact.
* The rules that read the same concluded names become one engine rule, which joins the facts of
  those names (rules that read only names known from the start wait for the single start fact).
  When it fires, its action weighs each of its rules — the condition and formulas of all of them
  turned once into one Python function (:func:`cms_law.codegen.weigher`) — and records each
  outcome as a *candidate* for each name it concludes.
* A chain needs no engine round trip: rules that wait only for names settled by one action, or
  by that action and those it itself waits for, are weighed at the end of that action (see
  :meth:`CompiledRuleset._fused`). The engine keeps the joins — rules waiting for names settled
  by actions independent of one another — and the start.
* A name concluded by one rule is settled by that rule's action. A name concluded by several rules
  is settled once every candidate is weighed — in the generated function that weighs them all
  when they are weighed together, else by the action of the last of them to fire: only then are
  the applicable ones that no other applicable one overrides (``exception_de``) kept. Rules
  left standing that agree are all reasons for the value; rules left standing that disagree are a
  conflict, an error naming both citations.

Because a name is settled once, and only after everything it depends on, the result does not
depend on the order in which facts are asserted or rules fire, and no conclusion ever needs
withdrawing — which matters, since the engine has no truth maintenance. The explanation lists the
rules in one fixed order, computed once per ruleset: each rule as soon as everything it reads is
settled, the first in the rule files first.

The engine's sharp edges, handled here
--------------------------------------
* Its Python host starts dispatcher threads that make concurrent callers crash, wraps each action
  in objects, clock reads and JSON round trips, and swallows the exceptions raised in actions:
  this module calls the C engine directly (every call in the ``_engine`` functions below), runs
  each action itself (:meth:`CompiledRuleset._drain`), and every call holds one process-wide lock.
  An action's error closes the session and is raised as :class:`~cms_law.errors.EvaluationError`
  naming the rule.
* A ruleset holds at most 1 024 live sessions: each evaluation opens one session and deletes it
  in ``finally``, whatever happens. A ruleset no longer used is deleted from the engine.
* Ruleset names are process-global: each compiled ruleset gets a fresh, unique name.
* A fact that no rule matches makes the engine raise, after which deleting the session crashes
  the process; so does the same fact asserted twice: only facts that some rule consumes are ever
  asserted, each exactly once.
* Beyond some sizes the engine crashes the process, hangs or fails with a bare error code:
  :func:`~cms_law.loader.capacity.check_capacity` refuses such rules at load, with margins (see
  ``rules/README.md``), and again before compiling.
"""

from __future__ import annotations

import functools
import graphlib
import heapq
import itertools
import json
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from . import codegen
from ._vendor.durable_rules import durable_rules_engine
from .errors import CmsLawError, EvaluationError, RuleConflictError
from .language import Node, Value
from .loader.capacity import check_capacity
from .model import Rule

#: Engine calls are serialised: the C engine is not safe for concurrent callers.
_ENGINE_LOCK = threading.Lock()
_RULESET_NAMES = itertools.count(1)
_SESSION_IDS = itertools.count(1)
#: What the C engine's assert calls answer when no rule takes the fact, or it was seen already.
_NOT_HANDLED, _ALREADY_OBSERVED = 1, 2
#: Engine rulesets whose compiled ruleset was collected, deleted at the next engine call (a
#: finalizer may run while this thread holds the lock, so it only notes them).
_DISCARDED: list[int] = []

# --------------------------------------------------------------------------- the engine's calls


def _engine_create(name: str, definition: Mapping[str, Any]) -> int:
    return durable_rules_engine.create_ruleset(name, json.dumps(definition))  # type: ignore[no-any-return]


def _engine_delete_discarded() -> None:
    """Delete the engine rulesets noted by finalizers (the caller holds the lock)."""
    while _DISCARDED:
        durable_rules_engine.delete_ruleset(_DISCARDED.pop())


_engine_assert_fact = durable_rules_engine.assert_fact
_engine_assert_facts = durable_rules_engine.assert_facts
_engine_start = durable_rules_engine.start_action_for_state
_engine_next = durable_rules_engine.complete_and_start_action
_engine_abandon = durable_rules_engine.abandon_action
_engine_delete_state = durable_rules_engine.delete_state


# --------------------------------------------------------------------------- the results


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
    #: What each rule weighed so far (by position) concluded, or ``None`` when it did not apply.
    weighed: dict[int, tuple[Value, ...] | None] = attrs.Factory(dict)
    #: The rules kept as reasons (by position), each with its place in the explanation.
    order: dict[int, tuple[int, int, int]] = attrs.Factory(dict)


@attrs.frozen
class RunResult:
    """The values settled by a run, the rule that settled each, and the rules that applied."""

    values: Mapping[str, Value]
    origins: Mapping[str, str]
    #: Gives the rules that applied, in the explanation's order: made on first use, since only
    #: an explanation needs them (a batch without ``--explain`` never does).
    _outcomes: Callable[[], tuple[Outcome, ...]] = attrs.field(alias="outcomes", repr=False, eq=False)

    @functools.cached_property
    def applied(self) -> tuple[Outcome, ...]:
        return self._outcomes()


@attrs.frozen
class _Conclusion:
    """One name a rule concludes, and what settling it takes (all computed once per ruleset)."""

    name: str
    slot: int  #: its position among the rule's formulas
    producers: tuple[int, ...]  #: every rule concluding it; one: settled by that rule's action
    #: its readiness fact's JSON after the session id, when an engine rule waits for it
    fact: str | None
    #: Each producer, in order, with the producers that override it (an exception to it, directly
    #: or not) and its place in the explanation's order when it is a reason for the name (_places).
    ranks: tuple[codegen.Candidate, ...]


# --------------------------------------------------------------------------- the ruleset


class CompiledRuleset:
    """The rules in force on one date, compiled to one durable_rules ruleset.

    ``run`` is safe to call from many threads at once.
    """

    def __init__(self, rules: Sequence[Rule], given: Sequence[str], book: str = "règles en vigueur") -> None:
        self.rules = tuple(rules)
        # The same fact asserted twice corrupts the engine's session: each name is given once.
        self.given = tuple(dict.fromkeys(given))
        self.name = f"cms_law_{next(_RULESET_NAMES)}"
        self._producers: dict[str, tuple[int, ...]] = {}
        for index, rule in enumerate(self.rules):
            for name in rule.alors:
                self._producers[name] = (*self._producers.get(name, ()), index)
        both = sorted(set(self._producers) & set(self.given))
        if both:
            rule = self.rules[self._producers[both[0]][0]]
            raise EvaluationError(rule.id, f"« {both[0]} » est à la fois une donnée fournie et une conclusion de règle")
        check_capacity(self.rules, book)
        self._overrides = self._exception_closure()
        waits = [tuple(sorted(rule.reads & self._producers.keys())) for rule in self.rules]
        # One engine rule per set of names waited for: its action weighs all the rules waiting,
        # and then those of the sets fused into it (see _fused).
        groups: dict[tuple[str, ...], list[int]] = {}
        for index, names in enumerate(waits):
            groups.setdefault(names, []).append(index)
        steps = self._fused(list(groups.items()))
        consumed = {name for names in steps for name in names}
        places = self._places(waits)
        positions = [{name: slot for slot, name in enumerate(rule.alors)} for rule in self.rules]
        self._conclusions = tuple(
            tuple(
                _Conclusion(
                    name,
                    slot,
                    self._producers[name],
                    f'","t":"v","n":{json.dumps(name)}}}' if name in consumed else None,
                    tuple(
                        codegen.Candidate(
                            producer,
                            self.rules[producer].id,
                            positions[producer][name],
                            tuple(other for other in self._producers[name] if producer in self._overrides[other]),
                            (*places[name], rank),
                        )
                        for rank, producer in enumerate(self._producers[name])
                    ),
                )
                for slot, name in enumerate(rule.alors)
            )
            for rule in self.rules
        )
        self._reads = tuple(tuple(sorted(rule.reads)) for rule in self.rules)
        # A name concluded by rules of different turns is resolved when the last of them has been
        # weighed, whichever it is: its producers are counted down. The others are resolved in
        # the function weighing all their producers.
        turn_of = {
            index: (number, turn)
            for number, fused in enumerate(steps.values())
            for turn, members in enumerate(fused)
            for index in members
        }
        self._counted = {
            name: len(rules) for name, rules in self._producers.items() if len({turn_of[index] for index in rules}) > 1
        }
        self._actions: dict[str, Callable[[_Session], None]] = {}
        definition: dict[str, Any] = {}
        for number, (names, fused) in enumerate(steps.items()):
            key = f"r{number}"
            self._actions[key] = self._action(fused)
            patterns = [{f"v{i}": {"$and": [{"t": "v"}, {"n": name}]}} for i, name in enumerate(names)]
            definition[key] = {"all": patterns or [{"start": {"t": "start"}}]}
        self._starts = () in steps
        with _ENGINE_LOCK:
            _engine_delete_discarded()
            self._handle = _engine_create(self.name, definition)
        weakref.finalize(self, _DISCARDED.append, self._handle)

    # ------------------------------------------------------------------ compilation

    def _fused(self, groups: list[tuple[tuple[str, ...], list[int]]]) -> dict[tuple[str, ...], list[list[int]]]:
        """The engine rules (by the names each waits for), each with the sets of rules its action
        weighs, in turn.

        The *sources* of a set of rules are the sets whose rules conclude the names it waits for.
        When one source is always weighed after all the others (each of them concludes a name it
        reads, directly or not), the set is ready exactly when that source is weighed: it is
        weighed right after it, in the same action, with no round trip through the engine and no
        fact for the names only it waits for. A set whose sources are independent of one another
        is a join, and joins stay the engine's: fusing them too would run every rule in one
        action, leaving durable_rules nothing to evaluate."""
        makers: dict[str, set[int]] = {}
        for number, (_, members) in enumerate(groups):
            for index in members:
                for name in self.rules[index].alors:
                    makers.setdefault(name, set()).add(number)
        sources = {number: set().union(*(makers[name] for name in names)) for number, (names, _) in enumerate(groups)}
        before: dict[int, frozenset[int]] = {}  # the sets always weighed before it
        host: dict[int, int] = {}
        steps: dict[int, list[list[int]]] = {}
        for number in graphlib.TopologicalSorter(sources).static_order():
            mine = sources[number]
            before[number] = frozenset().union(*(before[source] | {source} for source in mine))
            last = [source for source in mine if mine <= before[source] | {source}]
            host[number] = host[last[0]] if last else number
            steps.setdefault(host[number], []).append(groups[number][1])
        return {groups[number][0]: steps[number] for number in sorted(steps)}

    def _exception_closure(self) -> list[frozenset[int]]:
        """For each rule, every rule it overrides, directly or through another exception."""
        positions = {rule.id: index for index, rule in enumerate(self.rules)}
        direct = [{positions[base] for base in rule.exception_de if base in positions} for rule in self.rules]
        closure: dict[int, frozenset[int]] = {}

        def overridden(index: int, seen: frozenset[int]) -> frozenset[int]:
            if index in closure:
                return closure[index]
            result: set[int] = set()
            for base in direct[index]:
                if base not in seen:
                    result |= {base} | overridden(base, seen | {base})
            closure[index] = frozenset(result)
            return closure[index]

        return [overridden(index, frozenset({index})) for index in range(len(self.rules))]

    def _places(self, waits: Sequence[tuple[str, ...]]) -> dict[str, tuple[int, int]]:
        """When each name is settled, as ``(turn, position)``: rules take turns as soon as what
        they read is settled, the first in the rule files first; a name is settled at the turn of
        the last rule concluding it, ``position`` being its place among that rule's conclusions."""
        waiting = {name: [] for name in self._producers}  # type: dict[str, list[int]]
        missing = [len(names) for names in waits]
        for index, names in enumerate(waits):
            for name in names:
                waiting[name].append(index)
        left = {name: len(rules) for name, rules in self._producers.items()}
        ready = [index for index, count in enumerate(missing) if count == 0]
        heapq.heapify(ready)
        places: dict[str, tuple[int, int]] = {}
        turn = 0
        while ready:
            index = heapq.heappop(ready)
            for position, name in enumerate(self.rules[index].alors):
                left[name] -= 1
                if left[name] == 0:
                    places[name] = (turn, position)
                    for reader in waiting[name]:
                        missing[reader] -= 1
                        if missing[reader] == 0:
                            heapq.heappush(ready, reader)
            turn += 1
        return places

    # ------------------------------------------------------------------ actions

    def _action(self, steps: Sequence[Sequence[int]]) -> Callable[[_Session], None]:
        """The action of an engine rule: weigh each set of its rules at once, in turn, settling
        what a set concludes before the next is weighed; then assert the facts waited for."""
        turns = tuple((members, self._weigher(members)) for members in steps)

        def action(session: _Session) -> None:
            values, origins, weighed, order = session.values, session.origins, session.weighed, session.order
            pending = session.pending
            facts: list[str] = []
            for members, weigh in turns:
                try:
                    weigh(values.get, session, values, origins, weighed, order, pending, facts)
                except codegen.RuleFailure as failure:
                    rule = self.rules[members[failure.index]]
                    raise EvaluationError(rule.id, f"{failure.error} (fichier {rule.fichier})") from None
            if facts:
                self._assert(session.sid, facts)

        return action

    def _weigher(self, members: Sequence[int]) -> Callable[..., None]:
        """The generated function weighing ``members`` and settling what they conclude: for each,
        the names it alone concludes (each with the position of its formula), its place in the
        explanation, the facts awaited of those names, and the names it shares with other rules."""
        weighed: list[tuple[Node | None, tuple[Node, ...]]] = []
        settlings = []
        last = {name: index for index in members for name in self.rules[index].alors}
        for index in members:
            rule = self.rules[index]
            weighed.append((rule.si.tree if rule.si else None, tuple(formula.tree for formula in rule.alors.values())))
            alone = [c for c in self._conclusions[index] if len(c.producers) == 1]
            shared = [c for c in self._conclusions[index] if len(c.producers) > 1]
            settlings.append(
                codegen.Settling(
                    index,
                    rule.id,
                    tuple((c.name, c.slot) for c in alone),
                    min((c.ranks[0].place for c in alone), default=None),
                    tuple(c.fact for c in alone if c.fact is not None),
                    tuple((c.name, c) for c in shared if c.name in self._counted),
                    tuple(
                        codegen.Resolution(c.name, c.ranks, c.fact)
                        for c in shared
                        if c.name not in self._counted and last[c.name] == index
                    ),
                )
            )
        return codegen.weigher(weighed, settlings, self._resolve, self._conflict)

    def _resolve(self, session: _Session, conclusion: _Conclusion, facts: list[str]) -> None:
        """Every candidate weighed: keep the applicable ones no applicable exception overrides;
        those left agree (else a conflict is raised), and all count as reasons for the value."""
        weighed, name = session.weighed, conclusion.name
        first = None
        for index, rule_id, slot, beaters, place in conclusion.ranks:
            outcome = weighed[index]
            # An outcome is None or a non-empty tuple: ``any`` says whether an overrider applied.
            if outcome is None or (beaters and any(map(weighed.__getitem__, beaters))):
                continue
            if first is None:
                first, value = index, outcome[slot]
                session.values[name] = value
                session.origins[name] = rule_id
            elif outcome[slot] != value:
                self._conflict(name, first, index)
            codegen.keep_earliest(session.order, index, place)
        if first is None:
            session.values[name] = None
        if conclusion.fact is not None:
            facts.append(conclusion.fact)

    def _conflict(self, name: str, first: int, other: int) -> None:
        """Two rules left standing for ``name`` disagree: the error names both citations."""
        one, two = self.rules[first], self.rules[other]
        raise RuleConflictError(name, [one.id, two.id], [_first_citation(one), _first_citation(two)])

    # ------------------------------------------------------------------ running

    def _assert(self, sid: str, facts: Sequence[str]) -> None:
        prefix = '{"sid":"' + sid
        if len(facts) == 1:
            result = _engine_assert_fact(self._handle, prefix + facts[0])
        else:
            result = _engine_assert_facts(self._handle, "[" + ",".join(prefix + fact for fact in facts) + "]")
        if result[0] in (_NOT_HANDLED, _ALREADY_OBSERVED):  # pragma: no cover - prevented by `consumed`
            raise EvaluationError(self.name, "fait refusé par le moteur")

    def _drain(self, session: _Session, state_handle: int) -> None:
        """Run every action the engine schedules for the session, one after the other."""
        started = _engine_start(self._handle, state_handle)
        if not started:
            return
        # The session's state is never changed by an action, so it is not written back.
        message = started[1]
        while message:
            try:
                self._actions[_action_name(message)](session)
            except BaseException:
                _engine_abandon(self._handle, state_handle)
                raise
            message = _engine_next(self._handle, state_handle)

    def run(self, given: Mapping[str, Value]) -> RunResult:
        """Settle every name from the ``given`` values (inputs, context, parameters, conventions)."""
        with _ENGINE_LOCK:
            _engine_delete_discarded()
            session = _Session(str(next(_SESSION_IDS)), dict(given), dict(self._counted))
            try:
                if self._starts:
                    result = _engine_assert_fact(self._handle, '{"sid":"' + session.sid + '","t":"start"}')
                    if result[0] in (_NOT_HANDLED, _ALREADY_OBSERVED):  # pragma: no cover
                        raise EvaluationError(self.name, "faits initiaux refusés par le moteur")
                    self._drain(session, result[1])
            except CmsLawError:
                raise
            except Exception as error:  # noqa: BLE001 - any failure inside a rule names that rule
                raise EvaluationError(self._running_rule(session), f"{type(error).__name__} : {error}") from error
            finally:
                _engine_delete_state(self._handle, session.sid)
        unsettled = sorted(name for name in self._producers if name not in session.values)
        if unsettled:
            raise EvaluationError(
                self.rules[self._producers[unsettled[0]][0]].id,
                f"valeur(s) jamais établie(s) : {', '.join(unsettled)}",
            )
        return RunResult(session.values, session.origins, functools.partial(self._outcomes, session))

    def _outcomes(self, session: _Session) -> tuple[Outcome, ...]:
        order = sorted(session.order, key=session.order.__getitem__)
        return tuple(self._outcome(session, index) for index in order)

    def _outcome(self, session: _Session, index: int) -> Outcome:
        # Each name is settled once, before any rule reading it fires, and given values never
        # change: the final values are exactly those the rule read when it was weighed.
        rule = self.rules[index]
        concluded = session.weighed[index]
        assert concluded is not None, "only rules that applied are kept as reasons"
        values = session.values
        return Outcome(rule, dict(zip(rule.alors, concluded)), {name: values.get(name) for name in self._reads[index]})

    def _running_rule(self, session: _Session) -> str:
        """The first rule not yet weighed when an unexpected error struck."""
        return next((rule.id for index, rule in enumerate(self.rules) if index not in session.weighed), self.name)


def _action_name(message: str) -> str:
    """The action of an engine message ``{"r12":{…}}``, read without decoding the facts."""
    if not message.startswith('{"'):  # pragma: no cover - the engine's format, checked by tests
        raise EvaluationError("moteur", f"message inattendu du moteur : {message[:40]}")
    return message[2 : message.index('"', 2)]


def _first_citation(rule: Rule) -> str:
    return rule.citations[0].court if rule.citations else rule.id
