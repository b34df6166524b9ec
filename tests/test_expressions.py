"""The rule files' expression language: exact, closed, and clear when wrong."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cms_law import EvaluationError, RuleFileError
from cms_law.codegen import expression_function
from cms_law.expressions import (
    MAX_DEPTH,
    MAX_LITERAL_DIGITS,
    Conditions,
    ExpressionError,
    ExpressionSyntaxError,
    Unknown,
    literal,
    parse,
    truth,
)


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


@settings(max_examples=400, deadline=None)
@given(
    value=st.one_of(st.integers(-10**6, 10**6), st.fractions(max_denominator=10**4)),
    mode=st.sampled_from(["superieur", "inferieur", "plus_proche"]),
    places=st.integers(0, 4),
)
def test_rounding_is_the_ceiling_the_floor_or_half_away_from_zero(value: Fraction, mode: str, places: int) -> None:
    """The definition of each mode, in fractions (an objective rounded « à l'entier supérieur »
    must be the ceiling exactly, halves included): the integer arithmetic must give the same."""
    scaled = Fraction(value) * 10**places
    whole = {"superieur": -(-scaled.numerator // scaled.denominator), "inferieur": scaled.numerator // scaled.denominator}
    half_up = (abs(scaled) + Fraction(1, 2)).__floor__() * (1 if scaled >= 0 else -1)
    expected = Fraction(whole.get(mode, half_up), 10**places)
    got = evaluate(f'arrondi(x, "{mode}", {places})', x=value if not isinstance(value, Fraction) or value.denominator != 1 else int(value))
    assert got == expected
    assert type(got) is (int if expected.denominator == 1 else Fraction)


def test_an_unknown_rounding_mode_is_refused_even_for_a_whole_number() -> None:
    with pytest.raises(ExpressionError, match="mode d'arrondi inconnu"):
        evaluate('arrondi(12, "au_hasard")')


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


# --------------------------------------------------------------------------- bounded work


def test_nesting_is_bounded_with_a_french_error_not_a_crash() -> None:
    assert evaluate("(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH) == 1
    for source in ("(" * 100 + "1" + ")" * 100, "non " * 200 + "vrai", "- " * 200 + "1", "min(" * 40 + "1, 2" + ")" * 40):
        with pytest.raises(ExpressionSyntaxError, match="trop imbriquée"):
            parse(source)


def test_the_deepest_expressions_allowed_compile_and_evaluate() -> None:
    """Each level of the worst shapes adds to the generated code's nesting: at the limit, it
    still compiles (Python refuses code nested about a hundred levels deep)."""
    worst = "a ou b et c < d + e * (" * MAX_DEPTH + "x" + ")" * MAX_DEPTH
    assert callable(expression_function(parse(worst).tree))
    values = dict(a=False, b=True, c=False, x=1)
    choices = "si(a, 1, " * MAX_DEPTH + "x" + ")" * MAX_DEPTH
    assert evaluate(choices, **values) == 1
    assert evaluate("(" * (MAX_DEPTH - 1) + "non a et (b ou c)" + ")" * (MAX_DEPTH - 1), **values) is True


def test_length_and_literals_are_bounded() -> None:
    long_sum = " + ".join(["1"] * 450)  # a long flat chain is fine: no recursion per operand
    assert evaluate(long_sum) == 450
    with pytest.raises(ExpressionSyntaxError, match="trop longue"):
        parse("1 + " * 600 + "1")
    assert literal("9" * MAX_LITERAL_DIGITS) == int("9" * MAX_LITERAL_DIGITS)
    with pytest.raises(ExpressionSyntaxError, match="chiffres") as raised:
        parse("1" * 1500 + " + x")
    assert len(str(raised.value)) < 400, "the message quotes a short prefix, not the whole text"


def test_rounding_precision_is_bounded_at_load_and_at_evaluation() -> None:
    with pytest.raises(ExpressionSyntaxError, match="décimales"):
        parse('arrondi(x, "superieur", 1000000000)')
    assert evaluate('arrondi(x, "superieur", 20)', x=Fraction(1, 3)) == Fraction(10**20 // 3 + 1, 10**20)
    with pytest.raises(ExpressionError, match="décimales"):
        evaluate('arrondi(x, "superieur", p)', x=Fraction(1, 3), p=10**9)


def test_numbers_cannot_grow_without_bound() -> None:
    """Repeated products double a number's size each time: past MAX_BITS they are refused."""
    value: object = 3
    with pytest.raises(ExpressionError, match="trop grand"):
        for _ in range(20):
            value = evaluate("x * x", x=value)
    with pytest.raises(ExpressionError, match="trop grand"):
        evaluate("x / y", x=Fraction(1, 3**600), y=3**600)
    with pytest.raises(ExpressionError, match="date invalide"):
        evaluate("date(a, 1, 1)", a=10**30)


@pytest.mark.parametrize(
    "names",
    [
        {"get": 1, "k0": 2, "n0": 3, "t0": 4},
        {"__builtins__": 1, "__import__": 2, "True": 3, "None": 4},
        {"h_add": 1, "X_error": 2, "T_int": 3, "f0": 4},
    ],
)
def test_names_and_texts_of_a_rule_file_never_become_code(names: dict[str, int]) -> None:
    """Names are read by their text (a constant), never used as identifiers of the generated code."""
    assert evaluate(" + ".join(names), **names) == sum(names.values())
    text = '"\n    import os\nos.system(1)\n"'
    assert evaluate(f"{text} == t", t=text[1:-1]) is True


def test_syntax_errors_from_rule_files_name_the_file_and_the_rule(rules_copy) -> None:  # type: ignore[no-untyped-def]
    def deeply_nested(data: dict[str, Any]) -> None:
        rule = next(r for r in data["regles"] if r["id"] == "L302-8.I.objectif-triennal")
        rule["alors"]["objectif_triennal"] = "(" * 100 + "1" + ")" * 100

    with pytest.raises(RuleFileError) as raised:
        rules_copy("cch/L302-8/2022-02-23.yaml", deeply_nested)
    message = str(raised.value)
    assert "L302-8/2022-02-23.yaml" in message and "L302-8.I.objectif-triennal" in message
    assert "trop imbriquée" in message


# --------------------------------------------------------------------------- three-valued logic

TRUTHS = st.sampled_from([True, False, None])  # None: « inconnu »


def kleene(source: str, **values: bool | None) -> bool | None:
    """The value of a condition, ``None`` when unknown."""
    try:
        return parse(source).evaluate(values.get)  # type: ignore[return-value]
    except Unknown:
        return None


def _names(count: int) -> list[str]:
    return [f"v{i}" for i in range(count)]


@settings(max_examples=300)
@given(values=st.lists(TRUTHS, min_size=1, max_size=5), data=st.data(), operator=st.sampled_from(["et", "ou"]))
def test_et_and_ou_do_not_depend_on_the_order_of_their_operands(values: list[bool | None], data: st.DataObject, operator: str) -> None:
    names = _names(len(values))
    bound = dict(zip(names, values))
    order = data.draw(st.permutations(names))
    assert kleene(f" {operator} ".join(order), **bound) == kleene(f" {operator} ".join(names), **bound)


@settings(max_examples=300)
@given(values=st.lists(TRUTHS, min_size=1, max_size=5))
def test_a_known_operand_decides_whatever_the_others(values: list[bool | None]) -> None:
    names = _names(len(values))
    bound = dict(zip(names, values))
    conjunction, disjunction = kleene(" et ".join(names), **bound), kleene(" ou ".join(names), **bound)
    assert conjunction == (False if False in values else None if None in values else True)
    assert disjunction == (True if True in values else None if None in values else False)


@settings(max_examples=200)
@given(a=TRUTHS, b=TRUTHS)
def test_de_morgan(a: bool | None, b: bool | None) -> None:
    assert kleene("non (a et b)", a=a, b=b) == kleene("non a ou non b", a=a, b=b)
    assert kleene("non (a ou b)", a=a, b=b) == kleene("non a et non b", a=a, b=b)
    assert kleene("non non a", a=a) == a


@settings(max_examples=200)
@given(a=st.booleans(), b=st.booleans(), c=st.booleans())
def test_with_every_value_known_the_logic_is_the_usual_one(a: bool, b: bool, c: bool) -> None:
    assert kleene("a et b ou non c", a=a, b=b, c=c) == ((a and b) or not c)
    assert kleene("a ou b et c", a=a, b=b, c=c) == (a or (b and c))
    assert kleene("non (a ou b) et c", a=a, b=b, c=c) == ((not (a or b)) and c)


def test_an_unknown_operand_is_named_only_when_nothing_decides() -> None:
    with pytest.raises(Unknown) as raised:
        evaluate("vrai et x et y", x=None, y=None)
    assert raised.value.name == "x"
    assert evaluate("x > 1 et faux", x=None) is False
    assert evaluate("x > 1 ou vrai", x=None) is True
    # A comparison on an unknown value is unknown; non of unknown is unknown.
    assert kleene("non (x > 1)", x=None) is None


#: Conditions as the rule files write them (input checks, derogations), some failing on some values.
CONDITIONS = [
    "a > 2", "b et c", "fourni(d)", "non c ou b", "a / e >= 1 / 2", "a", "si(b, a > 0, faux)",
    "a + e * 2 == 7", "arrondi(a / 3, \"superieur\", 0) > 1", "c ou non fourni(a)",
]
CONDITION_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 9), st.fractions(-3, 3, max_denominator=4))


@settings(max_examples=300)
@given(
    chosen=st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=6),
    values=st.fixed_dictionaries({name: CONDITION_VALUES for name in "abcde"}),
)
def test_conditions_weighed_together_say_what_each_says_alone(chosen: list[str], values: dict[str, Any]) -> None:
    # The input checks and the derogations' conditions (L. 302-8, IX) are weighed by one function:
    # each gives what truth() gives alone, and the first that fails names its owner with the same error.
    owned = [(f"condition {index}", parse(source)) for index, source in enumerate(chosen)]
    alone: list[bool | None] = []
    expected_error = None
    for owner, expression in owned:
        try:
            alone.append(truth(owner, expression, values.get))
        except EvaluationError as error:
            expected_error = str(error)
            break
    together = Conditions(owned)
    if expected_error is None:
        assert together.truths(values.get) == tuple(alone)
    else:
        with pytest.raises(EvaluationError) as raised:
            together.truths(values.get)
        assert str(raised.value) == expected_error
