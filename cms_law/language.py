"""The expression language of the rule files: its grammar, its closed tree, its values.

The text of a condition or formula is parsed here (:class:`Parser`) into a tree of the node
classes below, and nothing else; :mod:`cms_law.codegen` writes such trees as Python, and
:mod:`cms_law.expressions` is the public face of both. Values are exact (ints and fractions); the
helpers below are the language's semantics: what a number is, how values compare, the functions
a rule may call, and the bounds that keep parsing and evaluating finite.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import TypeGuard, Union

import attrs

Value = Union[int, Fraction, bool, str, _dt.date, None]
Lookup = Callable[[str], Value]

#: An expression is at most this many characters long.
MAX_LENGTH = 2_000
#: Parentheses, function arguments and repeated « non » or « - » nest at most this deep.
MAX_DEPTH = 16
#: A number literal has at most this many digits.
MAX_LITERAL_DIGITS = 30
#: ``arrondi`` keeps at most this many decimals.
MAX_PLACES = 20
#: A computed number's numerator and denominator have at most this many bits (about 300 digits).
MAX_BITS = 1_000


class ExpressionSyntaxError(ValueError):
    """The text is not a valid expression; the message says where and why."""


class ExpressionError(ValueError):
    """A well-formed expression failed on its values (type mismatch, division by zero…)."""


class Unknown(Exception):
    """A value the expression needs is not known."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


# --------------------------------------------------------------------------- the tree


@attrs.frozen
class Literal:
    value: int | Fraction | bool | str


@attrs.frozen
class Name:
    name: str


@attrs.frozen
class Negative:
    """``- operand``."""

    operand: Node


@attrs.frozen
class Arithmetic:
    """``first op operand op operand…``, left-associative: ``+ - * /``."""

    first: Node
    rest: tuple[tuple[str, Node], ...]


@attrs.frozen
class Comparison:
    operator: str
    left: Node
    right: Node


@attrs.frozen
class Logical:
    """``et`` (``operator == "et"``) or ``ou`` over two operands or more."""

    operator: str
    operands: tuple[Node, ...]


@attrs.frozen
class Not:
    operand: Node


@attrs.frozen
class Call:
    """A function of :data:`FUNCTIONS` applied to its arguments."""

    function: str
    arguments: tuple[Node, ...]


@attrs.frozen
class Choice:
    """``si(condition, then, otherwise)``: only the branch taken is evaluated."""

    condition: Node
    then: Node
    otherwise: Node


@attrs.frozen
class Provided:
    """``fourni(nom)``: whether the name's value is known."""

    name: str


Node = Union[Literal, Name, Negative, Arithmetic, Comparison, Logical, Not, Call, Choice, Provided]


def excerpt(source: str, size: int = 120) -> str:
    """A source as error messages quote it: whole when short, its beginning otherwise."""
    return source if len(source) <= size else f"{source[:size]} […]"


# --------------------------------------------------------------------------- parsing

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


class Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = self._tokenize(source)
        self.position = 0
        self.depth = -1  # the top level is not nested
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
                    f" dans « {excerpt(source)} »"
                )
            kind = match.lastgroup or ""
            text = match.group(kind)
            if kind == "number" and len(text) - text.count(".") > MAX_LITERAL_DIGITS:
                raise ExpressionSyntaxError(
                    f"nombre de {len(text) - text.count('.')} chiffres en position {match.start(kind) + 1},"
                    f" au plus {MAX_LITERAL_DIGITS}, dans « {excerpt(source)} »"
                )
            tokens.append((kind, text, match.start(kind)))
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
        found = "la fin de l'expression" if kind == "end" else f"« {value[:40]} »"
        return ExpressionSyntaxError(
            f"{expected} attendu, trouvé {found} en position {where + 1} dans « {excerpt(self.source)} »"
        )

    def _nest(self) -> None:
        """One level deeper; the parser recurses once per level, so the depth is bounded here."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            where = self._peek()[2] + 1
            raise ExpressionSyntaxError(
                f"expression trop imbriquée en position {where} : au plus {MAX_DEPTH} niveaux de"
                f" parenthèses, d'arguments de fonction ou de « non » et « - » répétés, dans « {excerpt(self.source)} »"
            )

    def parse(self) -> Node:
        tree = self._or()
        if self._peek()[0] != "end":
            raise self._fail("opérateur ou fin de l'expression")
        return tree

    def _or(self) -> Node:
        self._nest()
        operands = [self._and()]
        while self._accept("ou"):
            operands.append(self._and())
        self.depth -= 1
        return operands[0] if len(operands) == 1 else Logical("ou", tuple(operands))

    def _and(self) -> Node:
        operands = [self._not()]
        while self._accept("et"):
            operands.append(self._not())
        return operands[0] if len(operands) == 1 else Logical("et", tuple(operands))

    def _not(self) -> Node:
        if self._accept("non"):
            self._nest()
            operand = self._not()
            self.depth -= 1
            return Not(operand)
        return self._comparison()

    def _comparison(self) -> Node:
        left = self._sum()
        kind, value, _ = self._peek()
        if kind == "op" and value in _COMPARISONS:
            self._take()
            return Comparison(value, left, self._sum())
        return left

    def _sum(self) -> Node:
        return self._left_associative(self._product, "+-")

    def _product(self) -> Node:
        return self._left_associative(self._unary, "*/")

    def _left_associative(self, operand: Callable[[], Node], operators: str) -> Node:
        first = operand()
        rest = []
        while True:
            kind, value, _ = self._peek()
            if kind != "op" or value not in operators:
                break
            self._take()
            rest.append((value, operand()))
        return Arithmetic(first, tuple(rest)) if rest else first

    def _unary(self) -> Node:
        if self._accept("-"):
            self._nest()
            operand = self._unary()
            self.depth -= 1
            return Negative(operand)
        return self._primary()

    def _primary(self) -> Node:
        kind, value, _ = self._take()
        if kind == "number":
            number = Fraction(value)
            if self._accept("%"):
                number /= 100
            return Literal(normalize(number))
        if kind == "string":
            return Literal(value[1:-1])
        if kind == "op" and value == "(":
            inner = self._or()
            if not self._accept(")"):
                raise self._fail("« ) »")
            return inner
        if kind == "name":
            if value in ("vrai", "faux"):
                return Literal(value == "vrai")
            if value in _KEYWORDS:
                self.position -= 1
                raise self._fail("valeur")
            if self._accept("("):
                return self._call(value)
            self.names.add(value)
            return Name(value)
        self.position -= 1
        raise self._fail("valeur")

    def _call(self, function: str) -> Node:
        arguments: list[Node] = []
        if not self._accept(")"):
            while True:
                arguments.append(self._or())
                if self._accept(")"):
                    break
                if not self._accept(","):
                    raise self._fail("« , » ou « ) »")
        where = f"dans « {excerpt(self.source)} »"
        if function == "fourni":
            if len(arguments) != 1 or not isinstance(arguments[0], Name):
                raise ExpressionSyntaxError(f"fourni() prend un seul nom de donnée, {where}")
            self.functions.add(function)
            return Provided(arguments[0].name)
        if function == "si":
            if len(arguments) != 3:
                raise ExpressionSyntaxError(f"si() prend 3 arguments, {where}")
            self.functions.add(function)
            return Choice(*arguments)
        if function not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTION_NAMES))
            raise ExpressionSyntaxError(f"fonction inconnue « {function[:40]} » {where} (connues : {known})")
        arities = FUNCTIONS[function][1]
        if len(arguments) not in arities:
            raise ExpressionSyntaxError(
                f"{function}() prend {' ou '.join(map(str, sorted(arities)))} argument(s),"
                f" {len(arguments)} donné(s), {where}"
            )
        if function == "arrondi" and len(arguments) == 3 and isinstance(arguments[2], Literal):
            try:  # a literal precision is checked when the rules load
                _places(arguments[2].value)
            except ExpressionError as error:
                raise ExpressionSyntaxError(f"{error}, {where}") from None
        self.functions.add(function)
        return Call(function, tuple(arguments))


# --------------------------------------------------------------------------- values


def normalize(number: Fraction | int) -> int | Fraction:
    """A whole fraction as an integer: every number of the language is in this form."""
    if isinstance(number, Fraction) and number.denominator == 1:
        return int(number.numerator)
    return number


#: The types of numbers; exact types, as ``bool`` is a subclass of ``int`` but not a number here.
_NUMBER_TYPES = frozenset({int, Fraction})


def is_number(value: Value) -> TypeGuard[int | Fraction]:
    """Whether ``value`` is a number of the language (an int or a Fraction, never a boolean)."""
    return type(value) in _NUMBER_TYPES


def number(value: Value, operator: str) -> int | Fraction:
    """``value`` if it is a number, else the error naming the operator that wanted one."""
    if type(value) not in _NUMBER_TYPES:
        raise ExpressionError(f"« {operator} » attend un nombre, reçu {shown(value)}")
    return value  # type: ignore[return-value]


def boolean(value: Value, operator: str) -> bool:
    if value is True or value is False:
        return value
    raise ExpressionError(f"« {operator} » attend vrai ou faux, reçu {shown(value)}")


def shown(value: object) -> str:
    """A value as an error message quotes it: its beginning when long."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:60]}…"


def bounded(result: int | Fraction, operator: str) -> int | Fraction:
    """``result``, unless it grew beyond :data:`MAX_BITS` (repeated products grow exponentially)."""
    if type(result) is int:
        too_large = result.bit_length() > MAX_BITS
    else:
        too_large = result.numerator.bit_length() > MAX_BITS or result.denominator.bit_length() > MAX_BITS
    if too_large:
        raise ExpressionError(f"« {operator} » : nombre trop grand (plus de {MAX_BITS} bits, environ 300 chiffres)")
    return result


def _divide(a: int | Fraction, b: int | Fraction) -> int | Fraction:
    if b == 0:
        raise ExpressionError("division par zéro")
    # Two integers make their fraction at once (one gcd), instead of a fraction divided.
    quotient = Fraction(a, b) if type(a) is int and type(b) is int else Fraction(a) / b
    return bounded(normalize(quotient), "/")


#: Integers stay integers under + - *: exact, and much cheaper than fractions.
OPERATIONS: Mapping[str, Callable[[int | Fraction, int | Fraction], int | Fraction]] = {
    "+": lambda a, b: normalize(a + b),
    "-": lambda a, b: normalize(a - b),
    "*": lambda a, b: bounded(normalize(a * b), "*"),
    "/": _divide,
}


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
        raise ExpressionError(
            f"« {operator} » compare des valeurs de natures différentes : {shown(a)}, {shown(b)}"
        )
    if operator not in ("==", "!=") and isinstance(a, (bool, str)):
        raise ExpressionError(f"« {operator} » ne s'applique pas à {shown(a)}")


def _comparator(test: Callable[[object, object], bool]) -> Callable[[Value, Value, str], bool]:
    def compare(a: Value, b: Value, operator: str) -> bool:
        _comparable(a, b, operator)
        return test(a, b)

    return compare


COMPARATORS = {
    "<": _comparator(lambda a, b: a < b),  # type: ignore[operator]
    "<=": _comparator(lambda a, b: a <= b),  # type: ignore[operator]
    ">": _comparator(lambda a, b: a > b),  # type: ignore[operator]
    ">=": _comparator(lambda a, b: a >= b),  # type: ignore[operator]
    "==": _comparator(lambda a, b: a == b),
    "!=": _comparator(lambda a, b: a != b),
}

ROUNDING_MODES = ("superieur", "inferieur", "plus_proche")


def _places(places: Value) -> int:
    if type(places) is not int or not 0 <= places <= MAX_PLACES:
        raise ExpressionError(
            f"arrondi() attend un nombre de décimales entier de 0 à {MAX_PLACES}, reçu {shown(places)}"
        )
    return places


def _round(value: Value, mode: Value, places: Value = 0) -> int | Fraction:
    """Round ``value`` to ``places`` decimals; ``plus_proche`` rounds halves up (away from zero)."""
    exact = number(value, "arrondi")
    number(places, "arrondi")
    scale = 10 ** _places(places)
    if mode not in ROUNDING_MODES:
        raise ExpressionError(
            f"mode d'arrondi inconnu {shown(mode)} (attendu : {', '.join(ROUNDING_MODES)})"
        )
    if type(exact) is int:  # already whole: every mode leaves it as it is
        return exact
    # In integers, n / d being ``exact`` scaled: the fractions are only the result's.
    n, d = exact.numerator * scale, exact.denominator
    if mode == "superieur":
        result = -(-n // d)
    elif mode == "inferieur":
        result = n // d
    else:
        result = half_away_from_zero(n, d)
    return result if scale == 1 else normalize(Fraction(result, scale))


def half_away_from_zero(numerator: int, denominator: int) -> int:
    """The integer nearest ``numerator / denominator`` (denominator > 0), halves away from zero:
    ⌊|n / d| + ½⌋ with the sign of n, in integers."""
    return (2 * abs(numerator) + denominator) // (2 * denominator) * (1 if numerator >= 0 else -1)


def _integer(value: Value, function: str) -> int:
    checked = number(value, function)
    if not isinstance(checked, int):
        raise ExpressionError(f"{function}() attend des entiers, reçu {shown(value)}")
    return checked


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
    except (ValueError, OverflowError) as error:
        raise ExpressionError(f"date invalide : {error}") from None


def _date_part(part: str) -> Callable[[Value], int]:
    def read(value: Value) -> int:
        if not isinstance(value, _dt.date):
            raise ExpressionError(f"{part}() attend une date, reçu {shown(value)}")
        return int(getattr(value, {"annee": "year", "mois": "month", "jour": "day"}[part]))

    return read


def _extremum(pick: Callable[..., Value], name: str) -> Callable[..., Value]:
    def apply(*values: Value) -> Value:
        return pick(number(value, name) for value in values)

    return apply


#: The functions a rule may call, with the numbers of arguments each accepts. They are generic
#: arithmetic and calendar tools: nothing here knows a legal rate or date.
FUNCTIONS: Mapping[str, tuple[Callable[..., Value], frozenset[int]]] = {
    "min": (_extremum(min, "min"), frozenset(range(2, 10))),
    "max": (_extremum(max, "max"), frozenset(range(2, 10))),
    "abs": (lambda value: normalize(abs(Fraction(number(value, "abs")))), frozenset({1})),
    "arrondi": (_round, frozenset({2, 3})),
    "quotient": (_quotient, frozenset({2})),
    "reste": (_remainder, frozenset({2})),
    "date": (_date, frozenset({3})),
    "annee": (_date_part("annee"), frozenset({1})),
    "mois": (_date_part("mois"), frozenset({1})),
    "jour": (_date_part("jour"), frozenset({1})),
}

#: Every function name the language knows, including the two special forms.
FUNCTION_NAMES = frozenset([*FUNCTIONS, "fourni", "si"])


def condition(value: Value) -> bool:
    """The value of a condition (a rule's « si », a check, a derogation's condition): vrai or faux."""
    if not isinstance(value, bool):
        raise ExpressionError(f"une condition doit valoir vrai ou faux, elle vaut {shown(value)}")
    return value
