"""Expression trees turned into straight-line Python, once, and compiled.

An expression is evaluated millions of times in a batch: walking its tree (or a tree of closures)
for every commune costs more than the arithmetic. So each tree is written once as the body of a
Python function — temporaries, ``if`` statements, integer fast paths — and compiled.

What makes this safe: the source written here is made of this module's fixed templates and of
identifiers it generates itself (``n3``, ``t12``, ``k0``), never of text from a rule file. Every
name a rule reads is fetched with ``get(k3)``, ``k3`` being a constant of the function's namespace
that holds the name's text; every literal (number, text) is such a constant; every function is
one of :data:`~cms_law.expressions.FUNCTIONS`, bound under a generated identifier; and the
namespace has no built-ins. Only the node kinds of :mod:`cms_law.language` are accepted; the
parser bounds their depth, so the code's nesting is bounded too.

Semantics are those of the language, exactly (the helpers called on the slow paths are the
language's own): operands are evaluated from left to right; the first unknown value met makes the
result unknown (``None`` here) without evaluating further, except where the language says
otherwise (``fourni``, the branch of ``si`` not taken, the short-circuits of ``et`` and ``ou``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any, NamedTuple

from . import language as ex
from .language import Lookup, Value


class RuleFailure(Exception):
    """An expression of the ``index``-th rule weighed by a :func:`weigher` failed on its values."""

    def __init__(self, index: int, error: ex.ExpressionError) -> None:
        super().__init__(index, error)
        self.index = index
        self.error = error


def _arithmetic(operator: str) -> Callable[[Value, Value], Value]:
    operation = ex.OPERATIONS[operator]
    numbers = frozenset({int, Fraction})

    def apply(a: Value, b: Value) -> Value:
        # Mostly fractions (the generated code keeps two integers for itself): checked at once.
        if a.__class__ in numbers and b.__class__ in numbers:
            return operation(a, b)  # type: ignore[arg-type]
        return operation(ex.number(a, operator), ex.number(b, operator))

    return apply


def _comparison(operator: str) -> Callable[[Value, Value], bool]:
    compare = ex.COMPARATORS[operator]
    return lambda a, b: compare(a, b, operator)


def _expects_boolean(operator: str) -> Callable[[Value], bool]:
    return lambda value: ex.boolean(value, operator)


_OPERATOR_IDS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}
_LOGICAL_IDS = {"et": "and", "ou": "or", "non": "not", "si": "if"}
_FUNCTION_IDS = {name: f"f{index}" for index, name in enumerate(ex.FUNCTIONS)}

#: What generated code may reach: these, its constants, and nothing else (no built-ins).
_HELPERS: dict[str, Any] = {
    "__builtins__": {},
    "T_int": int,
    "T_numbers": frozenset({int, Fraction}),
    "T_same": frozenset({int, Fraction, bool, str, dt.date}),
    "B_max": ex.MAX_BITS,
    "h_neg": lambda value: ex.normalize(-ex.number(value, "-")),
    "h_condition": ex.condition,
    "X_error": ex.ExpressionError,
    "X_failed": RuleFailure,
    **{f"h_{key}": _arithmetic(op) for op, key in _OPERATOR_IDS.items() if op in ex.OPERATIONS},
    **{f"h_num_{key}": (lambda op: lambda v: ex.number(v, op))(op) for op, key in _OPERATOR_IDS.items()},
    **{f"h_{key}": _comparison(op) for op, key in _OPERATOR_IDS.items() if op in ex.COMPARATORS},
    **{f"h_bool_{key}": _expects_boolean(op) for op, key in _LOGICAL_IDS.items()},
    **{_FUNCTION_IDS[name]: implementation for name, (implementation, _) in ex.FUNCTIONS.items()},
}


class _Atom(NamedTuple):
    """Where a value is held once its code has run."""

    code: str  #: a generated identifier
    unknowable: bool  #: whether it may be ``None`` (unknown)
    kind: type | None  #: its exact type when known before running (a literal, a test)
    why: str | None  #: the identifier of the unknown name's text, read only when ``code`` is None


_Case = tuple[str | None, list[str]]


def _chain(cases: Sequence[_Case]) -> list[str]:
    """``if … elif … else …`` over ``(condition, statements)``; the last case has no condition.
    Neighbouring cases with the same statements share one branch (tests have no side effects)."""
    merged: list[_Case] = []
    for test, statements in cases:
        if merged and merged[-1][1] == statements and merged[-1][0] is not None and test is not None:
            merged[-1] = (f"{merged[-1][0]} or {test}", statements)
        else:
            merged.append((test, statements))
    lines: list[str] = []
    for position, (test, statements) in enumerate(merged):
        if test is None:
            if position == 0:
                return list(statements)
            lines.append("else:")
        else:
            lines.append(f"{'if' if position == 0 else 'elif'} {test}:")
        lines += ["    " + line for line in statements]
    return lines


def _indented(lines: Sequence[str]) -> list[str]:
    return ["    " + line for line in lines]


class _Writer:
    """Writes the code of trees; ``track`` keeps the name of the unknown value that stopped them."""

    def __init__(self, track: bool) -> None:
        self.track = track
        self.namespace = dict(_HELPERS)
        self._constants: dict[tuple[type, object], str] = {}
        self.names: dict[str, str] = {}
        self._numbers = itertools.count()

    # -------------------------------------------------------------- identifiers

    def constant(self, value: object) -> str:
        key = (type(value), value)
        identifier = self._constants.get(key)
        if identifier is None:
            identifier = self._constants[key] = f"k{len(self._constants)}"
            self.namespace[identifier] = value
        return identifier

    def reads(self) -> list[str]:
        """The statements reading every name the written code uses, before anything else."""
        return [f"{local} = get({self.constant(name)})" for name, local in self.names.items()]

    def _temporary(self) -> tuple[str, str]:
        number = next(self._numbers)
        return f"t{number}", f"u{number}"

    def _unknown(self, target: str, why_target: str, source: _Atom) -> list[str]:
        """``target`` becomes unknown because ``source`` is."""
        return [f"{target} = None", *([f"{why_target} = {source.why}"] if self.track else [])]

    # -------------------------------------------------------------- nodes

    def emit(self, node: ex.Node) -> tuple[list[str], _Atom]:
        """The statements computing ``node``, and where their result is."""
        if isinstance(node, ex.Literal):
            return [], _Atom(self.constant(node.value), False, type(node.value), None)
        if isinstance(node, ex.Name):
            local = self.names.setdefault(node.name, f"n{len(self.names)}")
            return [], _Atom(local, True, None, self.constant(node.name) if self.track else None)
        if isinstance(node, ex.Provided):
            target, _ = self._temporary()
            local = self.names.setdefault(node.name, f"n{len(self.names)}")
            return [f"{target} = {local} is not None"], _Atom(target, False, bool, None)
        if isinstance(node, ex.Arithmetic):
            lines, atom = self.emit(node.first)
            for operator, operand in node.rest:
                more, atom = self._binary(operator, atom, operand)
                lines += more
            return lines, atom
        if isinstance(node, ex.Comparison):
            lines, left = self.emit(node.left)
            more, atom = self._binary(node.operator, left, node.right)
            return lines + more, atom
        if isinstance(node, ex.Negative):
            return self._negative(node)
        if isinstance(node, ex.Not):
            return self._not(node)
        if isinstance(node, ex.Logical):
            return self._logical(node)
        if isinstance(node, ex.Choice):
            return self._choice(node)
        if isinstance(node, ex.Call):
            return self._call(node)
        raise TypeError(f"not a node of the expression language: {type(node).__name__}")

    def _is(self, atom: _Atom, kinds: str) -> str | None:
        """The test that ``atom`` is of one of ``kinds`` (a helper set), ``None`` when certain."""
        if atom.kind is not None and atom.kind in _HELPERS[kinds]:
            return None
        return f"{atom.code}.__class__ in {kinds}"

    def _binary(self, operator: str, left: _Atom, right_node: ex.Node) -> tuple[list[str], _Atom]:
        """``left operator right``: strict in both; ``left`` is checked before ``right`` runs."""
        target, why = self._temporary()
        right_lines, right = self.emit(right_node)
        key = _OPERATOR_IDS[operator]
        operands = f"{left.code}, {right.code}"
        slow = [f"{target} = h_{key}({operands})"]
        fast = [f"{target} = {left.code} {operator} {right.code}"]
        kind: type | None = None
        if operator == "/":  # a fraction, always: the language's own division
            tests: list[str | None] = []
            fast = slow
        elif operator in ex.COMPARATORS:
            kind = bool
            if operator in ("==", "!="):
                tests = [f"{left.code}.__class__ is {right.code}.__class__", self._is(left, "T_same")]
            else:
                tests = [self._is(left, "T_numbers"), self._is(right, "T_numbers")]
        else:  # + - * on two integers stay integers
            tests = [None if atom.kind is int else f"{atom.code}.__class__ is T_int" for atom in (left, right)]
            if operator == "*":
                fast.append(f"if {target}.bit_length() > B_max: h_mul({operands})")
        test = " and ".join(t for t in tests if t is not None)
        known: list[_Case] = [(test, fast), (None, slow)] if test else [(None, fast)]
        right_unknown: list[_Case] = (
            [(f"{right.code} is None", self._unknown(target, why, right))] if right.unknowable else []
        )
        if not right_lines:
            left_unknown: list[_Case] = (
                [(f"{left.code} is None", self._unknown(target, why, left))] if left.unknowable else []
            )
            lines = _chain([*left_unknown, *right_unknown, *known])
        else:
            check = [f"h_num_{key}({left.code})"] if operator in ex.OPERATIONS and left.kind not in (int, Fraction) else []
            inner = check + right_lines + _chain([*right_unknown, *known])
            if left.unknowable:
                lines = _chain([(f"{left.code} is None", self._unknown(target, why, left)), (None, inner)])
            else:
                lines = inner
        return lines, _Atom(target, left.unknowable or right.unknowable, kind, why)

    def _negative(self, node: ex.Negative) -> tuple[list[str], _Atom]:
        lines, operand = self.emit(node.operand)
        target, why = self._temporary()
        cases: list[_Case] = [(f"{operand.code} is None", self._unknown(target, why, operand))] if operand.unknowable else []
        cases += [(f"{operand.code}.__class__ is T_int", [f"{target} = -{operand.code}"]), (None, [f"{target} = h_neg({operand.code})"])]
        return lines + _chain(cases), _Atom(target, operand.unknowable, None, why)

    def _not(self, node: ex.Not) -> tuple[list[str], _Atom]:
        lines, operand = self.emit(node.operand)
        target, why = self._temporary()
        cases: list[_Case] = [(f"{operand.code} is None", self._unknown(target, why, operand))] if operand.unknowable else []
        if operand.kind is bool:
            cases.append((None, [f"{target} = not {operand.code}"]))
        else:
            cases += [(f"{operand.code} is True", [f"{target} = False"]), (f"{operand.code} is False", [f"{target} = True"])]
            cases.append((None, [f"h_bool_not({operand.code})"]))
        return lines + _chain(cases), _Atom(target, operand.unknowable, bool, why)

    def _logical(self, node: ex.Logical) -> tuple[list[str], _Atom]:
        """``et`` / ``ou`` in Kleene's logic: operands from left to right until one decides (faux
        for ``et``, vrai for ``ou``); unknown only if none decides and one is unknown."""
        target, why = self._temporary()
        neutral, decisive = ("True", "False") if node.operator == "et" else ("False", "True")
        check = f"h_bool_{_LOGICAL_IDS[node.operator]}"
        lines = [f"{target} = {neutral}"]
        unknowable = False
        for position, operand_node in enumerate(node.operands):
            operand_lines, operand = self.emit(operand_node)
            cases: list[_Case] = [(f"{operand.code} is {decisive}", [f"{target} = {decisive}"])]
            if operand.unknowable:
                # The first unknown operand is the one named, unless a later one decides.
                first = [f"if {target} is {neutral}:", *_indented(self._unknown(target, why, operand))]
                cases.append((f"{operand.code} is None", first))
            if operand.kind is not bool:
                cases.append((f"{operand.code} is not {neutral}", [f"{check}({operand.code})"]))
            body = operand_lines + _chain(cases)
            lines += body if position == 0 else [f"if {target} is not {decisive}:", *_indented(body)]
            unknowable |= operand.unknowable
        return lines, _Atom(target, unknowable, bool, why)

    def _choice(self, node: ex.Choice) -> tuple[list[str], _Atom]:
        lines, condition = self.emit(node.condition)
        target, why = self._temporary()
        branches: list[_Case] = []
        unknowable = condition.unknowable
        for test, branch_node in (("True", node.then), ("False", node.otherwise)):
            branch_lines, branch = self.emit(branch_node)
            statements = [*branch_lines, f"{target} = {branch.code}"]
            if branch.unknowable and self.track:
                statements.append(f"if {target} is None: {why} = {branch.why}")
            branches.append((f"{condition.code} is {test}", statements))
            unknowable |= branch.unknowable
        if condition.unknowable:
            branches.append((f"{condition.code} is None", self._unknown(target, why, condition)))
        branches.append((None, [f"h_bool_if({condition.code})"]))
        return lines + _chain(branches), _Atom(target, unknowable, None, why)

    def _call(self, node: ex.Call) -> tuple[list[str], _Atom]:
        """A function of the language: strict in every argument, evaluated in order."""
        target, why = self._temporary()
        arguments = [self.emit(argument) for argument in node.arguments]
        call = f"{target} = {_FUNCTION_IDS[node.function]}({', '.join(atom.code for _, atom in arguments)})"
        unknowable = any(atom.unknowable for _, atom in arguments)
        if all(not argument_lines for argument_lines, _ in arguments[1:]):
            cases: list[_Case] = [
                (f"{atom.code} is None", self._unknown(target, why, atom)) for _, atom in arguments if atom.unknowable
            ]
            return arguments[0][0] + _chain([*cases, (None, [call])]), _Atom(target, unknowable, None, why)
        # Arguments with code of their own: a flag keeps the nesting flat, whatever their number.
        flag = f"g{target[1:]}"
        lines = [f"{flag} = True"]
        for position, (argument_lines, atom) in enumerate(arguments):
            body = argument_lines + (
                [f"if {atom.code} is None:", *_indented([f"{flag} = False", *self._unknown(target, why, atom)])]
                if atom.unknowable
                else []
            )
            if position == 0 or not body:
                lines += body
            else:
                lines += [f"if {flag}:", *_indented(body)]
        lines += [f"if {flag}:", f"    {call}"]
        if unknowable:
            lines[1:1] = [f"{target} = None"]
        return lines, _Atom(target, unknowable, None, why)


def _function(writer: _Writer, name: str, parameters: str, body: list[str]) -> Callable[..., Any]:
    """The function ``name(parameters)``: every name the body uses read through ``get``, then the body."""
    source = "\n".join([f"def {name}({parameters}):", *_indented([*writer.reads(), *body])])
    namespace = writer.namespace
    exec(compile(source, "<cms-law : formules des règles>", "exec"), namespace)  # noqa: S102 - see the module's docstring
    return namespace[name]  # type: ignore[no-any-return]


def expression_function(tree: ex.Node) -> Callable[[Lookup], tuple[Value, str | None]]:
    """``function(get)`` → ``(value, None)``, or ``(None, name)`` naming the unknown value that
    stopped the evaluation."""
    writer = _Writer(track=True)
    lines, atom = writer.emit(tree)
    why = f"({atom.why} if {atom.code} is None else None)" if atom.unknowable else "None"
    return _function(writer, "expression", "get", [*lines, f"return {atom.code}, {why}"])


class Candidate(NamedTuple):
    """One of the rules concluding a name that several rules conclude."""

    position: int  #: the rule's position
    rule_id: str
    slot: int  #: the position of the name's formula among the rule's
    beaters: tuple[int, ...]  #: the positions of the rules that override it for the name
    place: tuple[int, int, int]  #: its place in the explanation when it is a reason for the name


class Resolution(NamedTuple):
    """A name that several rules weighed by one function conclude, settled there once all are."""

    name: str
    candidates: tuple[Candidate, ...]
    fact: str | None  #: its readiness fact, when an engine rule waits for it


class Settling(NamedTuple):
    """What weighing one rule settles in an evaluation's session (see :mod:`cms_law.compiler`)."""

    position: int  #: the rule's position: its key in ``weighed`` and ``order``
    rule_id: str
    alone: tuple[tuple[str, int], ...]  #: the names only it concludes, each with its formula's slot
    place: tuple[int, int, int] | None  #: its place in the explanation when it applies (with ``alone``)
    facts: tuple[str, ...]  #: the readiness facts of those names that an engine rule waits for
    #: the names it concludes with rules weighed elsewhere, each with what resolving it takes
    shared: tuple[tuple[str, object], ...]
    #: the names it is the last of the function's rules to conclude, resolved right after it
    resolved: tuple[Resolution, ...]


def weigher(
    rules: Sequence[tuple[ex.Node | None, Sequence[ex.Node]]],
    settlings: Sequence[Settling],
    resolve: Callable[[Any, Any, list[str]], None],
    conflict: Callable[[str, int, int], None],
) -> Callable[..., None]:
    """One function weighing several rules, each the tree of a condition (or ``None``) and those of
    its formulas, then settling what they conclude, as each ``settlings`` item says:
    ``function(values.get, session, values, origins, weighed, order, pending, facts)`` records,
    for each rule, the values of its formulas when its condition is true and every formula is
    known, else ``None``, in ``weighed``; stores the values of the names it alone concludes (unknown when it
    does not apply) in ``values``, with its id in ``origins`` and its place in ``order``; appends
    their readiness facts to ``facts``; counts down each name shared with rules weighed elsewhere
    in ``pending``, calling ``resolve(session, conclusion, facts)`` when none is left; and resolves
    the names only its own rules conclude: the applicable candidates that no applicable beater
    overrides are kept, their values agree (else ``conflict(name, first, other)`` raises) and all
    are reasons. An expression failing on its values raises :class:`RuleFailure` naming the
    rule's position, before anything is settled."""
    writer = _Writer(track=False)
    writer.namespace.update(S_resolve=resolve, S_conflict=conflict, S_keep=keep_earliest)
    body: list[str] = []
    for index, (condition, formulas) in enumerate(rules):
        result = f"r{index}"
        lines = _values(writer, result, formulas)
        if condition is not None:
            condition_lines, test = writer.emit(condition)
            lines = condition_lines + _decide(test, lines, [f"{result} = None"], [f"{result} = None"])
        body += [f"i = {index}", *lines]
    results = {settling.position: f"r{index}" for index, settling in enumerate(settlings)}
    settle = [line for settling in settlings for line in _settle(writer, results, settling)]
    parameters = "get, session, values, origins, weighed, order, pending, facts"
    return _function(writer, "weigh", parameters, [*_guarded(body), *settle])


def _values(writer: _Writer, result: str, formulas: Sequence[ex.Node]) -> list[str]:
    """The statements giving ``result`` the tuple of the formulas' values, or ``None`` as soon as
    one is unknown (the next ones are then not evaluated)."""
    if len(formulas) == 1:
        lines, atom = writer.emit(formulas[0])
        packed = f"({atom.code},)"
        return lines + [f"{result} = None if {atom.code} is None else {packed}" if atom.unknowable else f"{result} = {packed}"]
    # ``result`` stays True while every formula so far is known, then holds their values.
    lines = [f"{result} = True"]
    atoms = []
    for position, formula in enumerate(formulas):
        formula_lines, atom = writer.emit(formula)
        atoms.append(atom.code)
        statements = formula_lines + ([f"if {atom.code} is None: {result} = None"] if atom.unknowable else [])
        if position == 0 or not statements:
            lines += statements
        else:
            lines += [f"if {result} is True:", *_indented(statements)]
    return lines + [f"if {result} is True: {result} = ({''.join(atom + ', ' for atom in atoms)})"]


def _settle(writer: _Writer, results: Mapping[int, str], settling: Settling) -> list[str]:
    """The statements settling what one rule concludes (``results``: where each rule's outcome is)."""
    result = results[settling.position]
    lines = [f"weighed[{settling.position}] = {result}"]
    if settling.alone:
        known = [f"values[{writer.constant(name)}] = {result}[{slot}]" for name, slot in settling.alone]
        known += [f"origins[{writer.constant(name)}] = {writer.constant(settling.rule_id)}" for name, _ in settling.alone]
        known.append(f"order[{settling.position}] = {writer.constant(settling.place)}")
        unknown = [f"values[{writer.constant(name)}] = None" for name, _ in settling.alone]
        lines += [f"if {result} is None:", *_indented(unknown), "else:", *_indented(known)]
    lines += [f"facts.append({writer.constant(fact)})" for fact in settling.facts]
    for name, conclusion in settling.shared:
        key = writer.constant(name)
        lines += [
            f"left = pending[{key}] = pending[{key}] - 1",
            f"if not left: S_resolve(session, {writer.constant(conclusion)}, facts)",
        ]
    for resolution in settling.resolved:
        lines += _resolution(writer, results, resolution)
    return lines


def _resolution(writer: _Writer, results: Mapping[int, str], resolution: Resolution) -> list[str]:
    """The statements settling a name from its candidates, all weighed: ``s`` holds the position of
    the first one kept, ``v`` its value."""
    key = writer.constant(resolution.name)
    lines = ["s = None"]
    for candidate in resolution.candidates:
        outcome = results[candidate.position]
        value = f"{outcome}[{candidate.slot}]"
        applies = " and ".join([f"{outcome} is not None", *(f"{results[beater]} is None" for beater in candidate.beaters)])
        first = [f"s = {candidate.position}", f"v = {value}", f"values[{key}] = v"]
        first.append(f"origins[{key}] = {writer.constant(candidate.rule_id)}")
        kept = _chain([("s is None", first), (f"{value} != v", [f"S_conflict({key}, s, {candidate.position})"])])
        lines += [f"if {applies}:", *_indented([*kept, f"S_keep(order, {candidate.position}, {writer.constant(candidate.place)})"])]
    lines.append(f"if s is None: values[{key}] = None")
    if resolution.fact is not None:
        lines.append(f"facts.append({writer.constant(resolution.fact)})")
    return lines


def keep_earliest(order: dict[int, tuple[int, int, int]], index: int, place: tuple[int, int, int]) -> None:
    """A rule is explained at the earliest place of the names it is a reason for."""
    known = order.get(index)
    if known is None or place < known:
        order[index] = place


def _decide(test: _Atom, if_true: list[str], if_false: list[str], if_unknown: list[str]) -> list[str]:
    """The statements for each value of a condition; anything but vrai, faux (or unknown, when
    it may be) fails as the language says."""
    unknown: list[_Case] = [(f"{test.code} is None", if_unknown)] if test.unknowable else []
    if test.kind is bool:  # vrai or faux (or unknown) by construction: nothing else to reject
        if if_unknown == if_false:
            return _chain([(test.code, if_true), (None, if_false)])
        return _chain([*unknown, (test.code, if_true), (None, if_false)])
    cases: list[_Case] = [(f"{test.code} is True", if_true), (f"{test.code} is False", if_false), *unknown]
    return _chain([*cases, (None, [f"h_condition({test.code})"])])


def _guarded(lines: list[str]) -> list[str]:
    """``lines``, an error of the language in them raised as the failure of the ``i``-th item
    (``i`` is set before each item's statements)."""
    if not lines:
        return []
    return ["try:", *_indented(lines), "except X_error as error:", "    raise X_failed(i, error) from None"]


def conditions(trees: Sequence[ex.Node]) -> Callable[[Lookup], tuple[bool | None, ...]]:
    """One function weighing several conditions in order: ``function(get)`` gives, for each, vrai,
    faux or ``None`` when the data cannot decide it. A condition failing on its values, or giving
    anything but vrai or faux, raises :class:`RuleFailure` naming its position."""
    writer = _Writer(track=False)
    body: list[str] = []
    for index, tree in enumerate(trees):
        lines, test = writer.emit(tree)
        result = f"r{index}"
        body += [f"i = {index}", *lines, *_decide(test, [f"{result} = True"], [f"{result} = False"], [f"{result} = None"])]
    results = f"({''.join(f'r{index}, ' for index in range(len(trees)))})"
    return _function(writer, "conditions", "get", [*_guarded(body), f"return {results}"])
