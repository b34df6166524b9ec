"""The rule files' expression language: exact, closed, and clear when wrong."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from cms_law.expressions import ExpressionError, ExpressionSyntaxError, Unknown, literal, parse


def evaluate(source: str, **values: object) -> object:
    return parse(source).evaluate(values.get)  # type: ignore[arg-type]


def test_percent_literals_are_exact_fractions() -> None:
    assert literal("33 %") == Fraction(33, 100)
    assert evaluate("33 % * 500") == 165
    assert evaluate("0.1 + 0.2 == 0.3") is True


def test_precedence_and_boolean_words() -> None:
    assert evaluate("1 + 2 * 3") == 7
    assert evaluate("non a ou b et c", a=True, b=True, c=False) is False
    assert evaluate("(1 + 2) * 3 >= 9 et vrai") is True


def test_rounding_modes() -> None:
    assert evaluate('arrondi(148.83, "superieur")') == 149
    assert evaluate('arrondi(148.5, "plus_proche")') == 149
    assert evaluate('arrondi(148.83, "inferieur")') == 148
    assert evaluate('arrondi(4.005, "plus_proche", 2)') == Fraction(401, 100)


def test_dates_and_integer_division() -> None:
    assert evaluate("annee(d)", d=dt.date(2024, 3, 1)) == 2024
    assert evaluate("d == date(2023, 1, 1)", d=dt.date(2023, 1, 1)) is True
    assert evaluate("quotient(2024 - 2002, 3)") == 7
    assert evaluate("reste(2024 - 2002, 3)") == 1


def test_unknown_values_propagate_unless_tested() -> None:
    with pytest.raises(Unknown) as raised:
        evaluate("x + 1", x=None)
    assert raised.value.name == "x"
    assert evaluate("fourni(x)", x=None) is False
    assert evaluate("si(fourni(x), x, 0)", x=None) == 0
    assert evaluate("faux et x > 1", x=None) is False


def test_names_and_functions_are_reported() -> None:
    expression = parse("arrondi(taux * manquants, mode) + min(a, b)")
    assert expression.names == {"taux", "manquants", "mode", "a", "b"}
    assert expression.functions == {"arrondi", "min"}


@pytest.mark.parametrize(
    "source",
    ["__import__('os')", "open('f')", "a.b", "x[0]", "lambda: 1", "1 +", "(1", "a b", "2 ** 3", "f(1)"],
)
def test_anything_but_the_grammar_is_refused(source: str) -> None:
    with pytest.raises(ExpressionSyntaxError):
        parse(source)


def test_type_errors_name_the_operator() -> None:
    with pytest.raises(ExpressionError, match="«\\s*\\+\\s*» attend un nombre"):
        evaluate("a + 1", a=True)
    with pytest.raises(ExpressionError, match="division par zéro"):
        evaluate("1 / (a - a)", a=3)
    with pytest.raises(ExpressionError, match="natures différentes"):
        evaluate("a < 2", a="x")
