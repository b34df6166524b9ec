"""The small, safe expression language of the rule files.

Rule files hold conditions and formulas as text (``"ecart_retenu <= ecart_max et deficitaire"``).
They are parsed here into closures over a name lookup: nothing is ever handed to ``eval`` or
``exec``, and the only callables reachable are those of :data:`FUNCTIONS`.

Numbers are exact: literals become :class:`fractions.Fraction` (``33 %`` is ``33/100``), so
legal arithmetic never meets binary floating point.

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
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import TypeGuard, Union

import attrs

from .errors import EvaluationError

Value = Union[int, Fraction, bool, str, _dt.date, None]
Lookup = Callable[[str], Value]
Compiled = Callable[[Lookup], Value]


class ExpressionSyntaxError(ValueError):
    """The text is not a valid expression; the message says where and why."""


class ExpressionError(ValueError):
    """A well-formed expression failed on its values (type mismatch, division by zero…)."""


class Unknown(Exception):
    """A value the expression needs is not known."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d+)?)
      | (?P<string>"[^"]*")
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op><=|>=|==|!=|[-+*/()<>,%])
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"et", "ou", "non", "vrai", "faux"}
_COMPARISONS = {"<", "<=", ">", ">=", "==", "!="}


@attrs.frozen
class Expression:
    """A parsed expression: its source text, the names it reads and the functions it calls."""

    source: str
    names: frozenset[str]
    functions: frozenset[str]
    _compiled: Compiled = attrs.field(repr=False, eq=False)

    def evaluate(self, lookup: Lookup) -> Value:
        """Evaluate with ``lookup(name)`` giving each name's value (``None`` when unknown)."""
        return self._compiled(lookup)


def parse(source: str) -> Expression:
    """Parse ``source``; raise :class:`ExpressionSyntaxError` naming the position on failure."""
    if not isinstance(source, str):
        raise ExpressionSyntaxError(f"une expression doit être un texte, pas {source!r}")
    parser = _Parser(source)
    compiled = parser.parse()
    return Expression(source, frozenset(parser.names), frozenset(parser.functions), compiled)


def literal(text: str) -> Value:
    """Parse a rule file's literal value (``"33 %"``, ``"2"``, ``"\"exact\""``, ``vrai``)."""
    expression = parse(text)
    if expression.names or expression.functions:
        raise ExpressionSyntaxError(f"« {text} » n'est pas une valeur littérale")
    return expression.evaluate(_no_names)


def _no_names(name: str) -> Value:
    raise Unknown(name)


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = self._tokenize(source)
        self.position = 0
        self.names: set[str] = set()
        self.functions: set[str] = set()

    def _tokenize(self, source: str) -> list[tuple[str, str, int]]:
        tokens = []
        index = 0
        stripped_end = len(source.rstrip())
        while index < stripped_end:
            match = _TOKEN.match(source, index)
            if not match:
                raise ExpressionSyntaxError(
                    f"caractère inattendu « {source[index:].strip()[:1]} » en position {index + 1}"
                    f" dans « {source} »"
                )
            kind = match.lastgroup or ""
            tokens.append((kind, match.group(kind), match.start(kind)))
            index = match.end()
        tokens.append(("end", "", len(source)))
        return tokens

    def _peek(self) -> tuple[str, str, int]:
        return self.tokens[self.position]

    def _take(self) -> tuple[str, str, int]:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _accept(self, text: str) -> bool:
        kind, value, _ = self._peek()
        if kind in ("op", "name") and value == text:
            self.position += 1
            return True
        return False

    def _fail(self, expected: str) -> ExpressionSyntaxError:
        kind, value, where = self._peek()
        found = "la fin de l'expression" if kind == "end" else f"« {value} »"
        return ExpressionSyntaxError(
            f"{expected} attendu, trouvé {found} en position {where + 1} dans « {self.source} »"
        )

    def parse(self) -> Compiled:
        compiled = self._or()
        if self._peek()[0] != "end":
            raise self._fail("opérateur ou fin de l'expression")
        return compiled

    def _or(self) -> Compiled:
        operands = [self._and()]
        while self._accept("ou"):
            operands.append(self._and())
        if len(operands) == 1:
            return operands[0]

        def either(lookup: Lookup) -> bool:
            for operand in operands:
                if _boolean(operand(lookup), "ou"):
                    return True
            return False

        return either

    def _and(self) -> Compiled:
        operands = [self._not()]
        while self._accept("et"):
            operands.append(self._not())
        if len(operands) == 1:
            return operands[0]

        def both(lookup: Lookup) -> bool:
            for operand in operands:
                if not _boolean(operand(lookup), "et"):
                    return False
            return True

        return both

    def _not(self) -> Compiled:
        if self._accept("non"):
            operand = self._not()
            return lambda lookup: not _boolean(operand(lookup), "non")
        return self._comparison()

    def _comparison(self) -> Compiled:
        left = self._sum()
        kind, value, _ = self._peek()
        if kind == "op" and value in _COMPARISONS:
            self._take()
            right = self._sum()
            compare = _COMPARATORS[value]
            return lambda lookup: compare(left(lookup), right(lookup), value)
        return left

    def _sum(self) -> Compiled:
        return self._left_associative(self._product, "+-")

    def _product(self) -> Compiled:
        return self._left_associative(self._unary, "*/")

    def _left_associative(self, operand: Callable[[], Compiled], operators: str) -> Compiled:
        result = operand()
        while True:
            kind, value, _ = self._peek()
            if kind != "op" or value not in operators:
                return result
            self._take()
            result = _arithmetic(value, result, operand())

    def _unary(self) -> Compiled:
        if self._accept("-"):
            operand = self._unary()
            return lambda lookup: _normalize(-_number(operand(lookup), "-"))
        return self._primary()

    def _primary(self) -> Compiled:
        kind, value, _ = self._take()
        if kind == "number":
            number = Fraction(value)
            if self._accept("%"):
                number /= 100
            constant = _normalize(number)
            return lambda lookup: constant
        if kind == "string":
            text = value[1:-1]
            return lambda lookup: text
        if kind == "op" and value == "(":
            inner = self._or()
            if not self._accept(")"):
                raise self._fail("« ) »")
            return inner
        if kind == "name":
            if value in ("vrai", "faux"):
                flag = value == "vrai"
                return lambda lookup: flag
            if value in _KEYWORDS:
                self.position -= 1
                raise self._fail("valeur")
            if self._accept("("):
                return self._call(value)
            self.names.add(value)
            return _reader(value)
        self.position -= 1
        raise self._fail("valeur")

    def _call(self, function: str) -> Compiled:
        arguments: list[Compiled] = []
        argument_names: list[str | None] = []
        if not self._accept(")"):
            while True:
                start = self.position
                arguments.append(self._or())
                single = self.position == start + 1 and self.tokens[start][0] == "name"
                argument_names.append(self.tokens[start][1] if single else None)
                if self._accept(")"):
                    break
                if not self._accept(","):
                    raise self._fail("« , » ou « ) »")
        if function == "fourni":
            if len(arguments) != 1 or argument_names[0] is None:
                raise ExpressionSyntaxError(
                    f"fourni() prend un seul nom de donnée, dans « {self.source} »"
                )
            name = argument_names[0]
            self.functions.add(function)
            return lambda lookup: lookup(name) is not None
        if function == "si":
            if len(arguments) != 3:
                raise ExpressionSyntaxError(f"si() prend 3 arguments, dans « {self.source} »")
            condition, then, otherwise = arguments
            self.functions.add(function)
            return lambda lookup: (
                then(lookup) if _boolean(condition(lookup), "si") else otherwise(lookup)
            )
        if function not in FUNCTIONS:
            known = ", ".join(sorted([*FUNCTIONS, "fourni", "si"]))
            raise ExpressionSyntaxError(
                f"fonction inconnue « {function} » dans « {self.source} » (connues : {known})"
            )
        implementation, arities = FUNCTIONS[function]
        if len(arguments) not in arities:
            raise ExpressionSyntaxError(
                f"{function}() prend {' ou '.join(map(str, sorted(arities)))} argument(s),"
                f" {len(arguments)} donné(s), dans « {self.source} »"
            )
        self.functions.add(function)
        return lambda lookup: implementation(*(argument(lookup) for argument in arguments))


def _reader(name: str) -> Compiled:
    def read(lookup: Lookup) -> Value:
        value = lookup(name)
        if value is None:
            raise Unknown(name)
        return value

    return read


def _normalize(number: Fraction | int) -> int | Fraction:
    if isinstance(number, Fraction) and number.denominator == 1:
        return int(number.numerator)
    return number


#: The types of numbers; exact types, as ``bool`` is a subclass of ``int`` but not a number here.
_NUMBER_TYPES = frozenset({int, Fraction})


def is_number(value: Value) -> TypeGuard[int | Fraction]:
    """Whether ``value`` is a number of the language (an int or a Fraction, never a boolean)."""
    return type(value) in _NUMBER_TYPES


def _number(value: Value, operator: str) -> int | Fraction:
    if type(value) not in _NUMBER_TYPES:
        raise ExpressionError(f"« {operator} » attend un nombre, reçu {value!r}")
    return value  # type: ignore[return-value]


def _boolean(value: Value, operator: str) -> bool:
    if value is True or value is False:
        return value
    raise ExpressionError(f"« {operator} » attend vrai ou faux, reçu {value!r}")


def _divide(a: int | Fraction, b: int | Fraction) -> int | Fraction:
    if b == 0:
        raise ExpressionError("division par zéro")
    return _normalize(Fraction(a) / b)


#: Integers stay integers under + - *: exact, and much cheaper than fractions.
_OPERATIONS: Mapping[str, Callable[[int | Fraction, int | Fraction], int | Fraction]] = {
    "+": lambda a, b: _normalize(a + b),
    "-": lambda a, b: _normalize(a - b),
    "*": lambda a, b: _normalize(a * b),
    "/": _divide,
}


def _arithmetic(operator: str, left: Compiled, right: Compiled) -> Compiled:
    operation = _OPERATIONS[operator]

    def apply(lookup: Lookup) -> Value:
        return operation(_number(left(lookup), operator), _number(right(lookup), operator))

    return apply


def _comparable(a: Value, b: Value, operator: str) -> None:
    if type(a) in _NUMBER_TYPES and type(b) in _NUMBER_TYPES:  # the usual case, decided at once
        return
    same_kind = (
        (is_number(a) and is_number(b))
        or (isinstance(a, bool) and isinstance(b, bool))
        or (isinstance(a, str) and isinstance(b, str))
        or (isinstance(a, _dt.date) and isinstance(b, _dt.date))
    )
    if not same_kind:
        raise ExpressionError(f"« {operator} » compare des valeurs de natures différentes : {a!r}, {b!r}")
    if operator not in ("==", "!=") and isinstance(a, (bool, str)):
        raise ExpressionError(f"« {operator} » ne s'applique pas à {a!r}")


def _comparator(test: Callable[[object, object], bool]) -> Callable[[Value, Value, str], bool]:
    def compare(a: Value, b: Value, operator: str) -> bool:
        _comparable(a, b, operator)
        return test(a, b)

    return compare


_COMPARATORS = {
    "<": _comparator(lambda a, b: a < b),  # type: ignore[operator]
    "<=": _comparator(lambda a, b: a <= b),  # type: ignore[operator]
    ">": _comparator(lambda a, b: a > b),  # type: ignore[operator]
    ">=": _comparator(lambda a, b: a >= b),  # type: ignore[operator]
    "==": _comparator(lambda a, b: a == b),
    "!=": _comparator(lambda a, b: a != b),
}

ROUNDING_MODES = ("superieur", "inferieur", "plus_proche")


def _round(value: Value, mode: Value, places: Value = 0) -> int | Fraction:
    """Round ``value`` to ``places`` decimals; ``plus_proche`` rounds halves up (away from zero)."""
    number = Fraction(_number(value, "arrondi"))
    digits = _number(places, "arrondi")
    if not isinstance(digits, int) or digits < 0:
        raise ExpressionError(f"arrondi() attend un nombre de décimales entier positif, reçu {places!r}")
    scale = 10**digits
    scaled = number * scale
    if mode == "superieur":
        result = math.ceil(scaled)
    elif mode == "inferieur":
        result = math.floor(scaled)
    elif mode == "plus_proche":
        result = math.floor(abs(scaled) + Fraction(1, 2)) * (1 if scaled >= 0 else -1)
    else:
        raise ExpressionError(f"mode d'arrondi inconnu {mode!r} (attendu : {', '.join(ROUNDING_MODES)})")
    return _normalize(Fraction(result, scale))


def _integer(value: Value, function: str) -> int:
    number = _number(value, function)
    if not isinstance(number, int):
        raise ExpressionError(f"{function}() attend des entiers, reçu {value!r}")
    return number


def _quotient(a: Value, b: Value) -> int:
    divisor = _integer(b, "quotient")
    if divisor == 0:
        raise ExpressionError("division par zéro")
    return _integer(a, "quotient") // divisor


def _remainder(a: Value, b: Value) -> int:
    divisor = _integer(b, "reste")
    if divisor == 0:
        raise ExpressionError("division par zéro")
    return _integer(a, "reste") % divisor


def _date(year: Value, month: Value, day: Value) -> _dt.date:
    try:
        return _dt.date(_integer(year, "date"), _integer(month, "date"), _integer(day, "date"))
    except ValueError as error:
        raise ExpressionError(f"date invalide : {error}") from None


def _date_part(part: str) -> Callable[[Value], int]:
    def read(value: Value) -> int:
        if not isinstance(value, _dt.date):
            raise ExpressionError(f"{part}() attend une date, reçu {value!r}")
        return int(getattr(value, {"annee": "year", "mois": "month", "jour": "day"}[part]))

    return read


def _extremum(pick: Callable[..., Value], name: str) -> Callable[..., Value]:
    def apply(*values: Value) -> Value:
        return pick(_number(value, name) for value in values)

    return apply


#: The functions a rule may call, with the numbers of arguments each accepts. They are generic
#: arithmetic and calendar tools: nothing here knows a legal rate or date.
FUNCTIONS: Mapping[str, tuple[Callable[..., Value], frozenset[int]]] = {
    "min": (_extremum(min, "min"), frozenset(range(2, 10))),
    "max": (_extremum(max, "max"), frozenset(range(2, 10))),
    "abs": (lambda value: _normalize(abs(Fraction(_number(value, "abs")))), frozenset({1})),
    "arrondi": (_round, frozenset({2, 3})),
    "quotient": (_quotient, frozenset({2})),
    "reste": (_remainder, frozenset({2})),
    "date": (_date, frozenset({3})),
    "annee": (_date_part("annee"), frozenset({1})),
    "mois": (_date_part("mois"), frozenset({1})),
    "jour": (_date_part("jour"), frozenset({1})),
}

def condition(value: Value) -> bool:
    """The value of a condition (a rule's « si », a check, a derogation's condition): vrai or faux."""
    if not isinstance(value, bool):
        raise ExpressionError(f"une condition doit valoir vrai ou faux, elle vaut {value!r}")
    return value


def truth(owner: str, expression: Expression, lookup: Lookup) -> bool | None:
    """A condition's value, or ``None`` when the data cannot decide it; a condition that fails on
    its values is a defect of the rule files, raised as an error naming ``owner``."""
    try:
        return condition(expression.evaluate(lookup))
    except Unknown:
        return None
    except ExpressionError as error:
        raise EvaluationError(owner, str(error)) from None


#: Every function name the language knows, including the two special forms.
FUNCTION_NAMES = frozenset([*FUNCTIONS, "fourni", "si"])
