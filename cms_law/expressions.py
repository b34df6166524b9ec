"""The small, safe expression language of the rule files.

Rule files hold conditions and formulas as text (``"ecart_retenu <= ecart_max et deficitaire"``).
They are parsed into a closed tree (:mod:`cms_law.language`: its node classes, nothing else), and
each tree is turned once into straight-line Python by :mod:`cms_law.codegen`, which writes code only from those
node kinds: no text of a rule file is ever handed to ``eval``, ``exec`` or ``compile``, and the
only callables reachable are those of :data:`FUNCTIONS`.

Numbers are exact: literals become :class:`fractions.Fraction` (``33 %`` is ``33/100``), so
legal arithmetic never meets binary floating point; integers stay integers under ``+ - *``.

Grammar (lowest precedence first)::

    expr       := and_expr ("ou" and_expr)*
    and_expr   := not_expr ("et" not_expr)*
    not_expr   := "non" not_expr | comparison
    comparison := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := "-" unary | primary
    primary    := NUMBER ["%"] | STRING | "vrai" | "faux" | NAME
                | NAME "(" [expr ("," expr)*] ")" | "(" expr ")"

A name whose value is unknown (``None``) makes the whole expression unknown: evaluation raises
:class:`Unknown`, which the evaluator reads as « the rule does not apply for want of data ».
``fourni(nom)`` is the one way to test whether a value is known.

Limits (a rule folder is data a user may send: parsing and evaluating stay bounded): see
:data:`MAX_LENGTH`, :data:`MAX_DEPTH`, :data:`MAX_LITERAL_DIGITS`, :data:`MAX_PLACES` and
:data:`MAX_BITS`, documented in ``rules/README.md``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import attrs

from . import codegen
from .codegen import expression_function
from .errors import EvaluationError, quoted
from .language import (
    FUNCTION_NAMES,
    FUNCTIONS,
    MAX_BITS,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_LITERAL_DIGITS,
    MAX_PLACES,
    ROUNDING_MODES,
    ExpressionError,
    ExpressionSyntaxError,
    Literal,
    Lookup,
    Node,
    Parser,
    Unknown,
    Value,
    condition,
    excerpt,
    is_number,
    shown,
)

__all__ = [
    "FUNCTIONS", "FUNCTION_NAMES", "MAX_BITS", "MAX_DEPTH", "MAX_LENGTH", "MAX_LITERAL_DIGITS", "MAX_PLACES",
    "ROUNDING_MODES", "Expression", "ExpressionError", "ExpressionSyntaxError", "Lookup", "Unknown", "Value",
    "Conditions", "condition", "is_number", "literal", "parse", "truth",
]  # fmt: skip


@attrs.frozen
class Expression:
    """A parsed expression: its source text, its tree, the names it reads and the functions it calls."""

    source: str
    tree: Node = attrs.field(repr=False, eq=False)
    names: frozenset[str]
    functions: frozenset[str]
    #: The tree as a Python function, made on first use (most expressions of a rule book are never
    #: evaluated on their own: the compiler turns a rule's expressions into its own function).
    _function: list[Callable[[Lookup], tuple[Value, str | None]]] = attrs.field(
        factory=list, repr=False, eq=False
    )

    def evaluate(self, lookup: Lookup) -> Value:
        """Evaluate with ``lookup(name)`` giving each name's value (``None`` when unknown)."""
        if not self._function:
            self._function.append(expression_function(self.tree))
        value, unknown = self._function[0](lookup)
        if value is None:
            raise Unknown(unknown or "")
        return value


def parse(source: str) -> Expression:
    """Parse ``source``; raise :class:`ExpressionSyntaxError` naming the position on failure."""
    if not isinstance(source, str):
        raise ExpressionSyntaxError(f"une expression doit être un texte, pas {quoted(source, 40)}")
    if len(source) > MAX_LENGTH:
        raise ExpressionSyntaxError(
            f"expression trop longue : {len(source)} caractères, au plus {MAX_LENGTH} ({excerpt(source)})"
        )
    return _parsed(source)


@functools.lru_cache(maxsize=2048)
def _parsed(source: str) -> Expression:
    # A rule book writes the same expression many times (a condition shared by the cases of a
    # rule, a derogation's threshold): 654 texts, 278 distinct, in the rules in force. An
    # Expression is immutable, so one parse serves them all; the bound keeps a user's rule
    # folders from growing it (each text at most MAX_LENGTH characters).
    parser = Parser(source)
    tree = parser.parse()
    return Expression(source, tree, frozenset(parser.names), frozenset(parser.functions))


def literal(text: str) -> Value:
    """Parse a rule file's literal value (``"33 %"``, ``"2"``, ``"\"exact\""``, ``vrai``)."""
    expression = parse(text)
    if expression.names or expression.functions:
        raise ExpressionSyntaxError(f"« {excerpt(text)} » n'est pas une valeur littérale")
    if isinstance(expression.tree, Literal):  # most are: no function to write for them
        return expression.tree.value
    return expression.evaluate(_no_names)


def _no_names(name: str) -> Value:
    return None


def truth(owner: str, expression: Expression, lookup: Lookup) -> bool | None:
    """A condition's value, or ``None`` when the data cannot decide it; a condition that fails on
    its values is a defect of the rule files, raised as an error naming ``owner``."""
    try:
        return condition(expression.evaluate(lookup))
    except Unknown:
        return None
    except ExpressionError as error:
        raise EvaluationError(owner, str(error)) from None


class Conditions:
    """Conditions read together many times (the input checks in force, the derogations'
    conditions), weighed at once by one function written once: each gives what :func:`truth`
    gives, in order, and the first to fail raises the same error, naming its owner."""

    def __init__(self, conditions: Sequence[tuple[str, Expression]]) -> None:
        self.owners = tuple(owner for owner, _ in conditions)
        self._weigh = codegen.conditions([expression.tree for _, expression in conditions])

    def truths(self, lookup: Lookup) -> tuple[bool | None, ...]:
        try:
            return self._weigh(lookup)
        except codegen.RuleFailure as failure:
            raise EvaluationError(self.owners[failure.index], str(failure.error)) from None
