"""The French sentences say what the rules decided: figures precise enough, words that agree."""

from __future__ import annotations

from decimal import Context, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cms_law import evaluate
from cms_law.french import JSON_PLACES, exact_decimal, fill, french
from conftest import commune

BAND_RULES = ("L302-8.VII.al1", "L302-8.VII.1°", "L302-8.VII.2°")


def band_sentence(residences: int, sociaux: int, **conventions: str) -> tuple[str, str]:
    """The rule of L. 302-8, VII that fixed the catch-up rate, and its sentence."""
    result = evaluate(
        commune(residences_principales=residences, logements_sociaux=sociaux), conventions=conventions or None
    )
    (step,) = [step for step in result.explication if step.regle in BAND_RULES]
    return step.regle, step.texte


@pytest.mark.parametrize(
    ("residences", "sociaux", "rule", "written"),
    [
        # L. 302-8, VII, 1° — « compris entre deux et quatre points », both ends included.
        (10_000, 2_300, "L302-8.VII.1°", "(2 points) est compris entre 2 points et 4 points"),
        (10_000, 2_100, "L302-8.VII.1°", "(4 points) est compris entre 2 points et 4 points"),
        (100_000, 22_999, "L302-8.VII.1°", "(2,001 points) est compris entre"),
        (1_000_000, 210_004, "L302-8.VII.1°", "(3,9996 points) est compris entre"),
        # L. 302-8, VII, 2° — « inférieur à deux points »: just under, never written « 2 points ».
        (100_000, 23_001, "L302-8.VII.2°", "(1,999 point) est inférieur à 2 points"),
        (1_000_000, 230_004, "L302-8.VII.2°", "(1,9996 point) est inférieur à 2 points"),
        # L. 302-8, VII, al. 1 — beyond four points: just over, never written « 4 points ».
        (1_000_000, 209_996, "L302-8.VII.al1", "(4,0004 points) dépasse 4 points"),
        (100_000, 20_999, "L302-8.VII.al1", "(4,001 points) dépasse 4 points"),
    ],
)
def test_a_figure_that_decides_a_band_is_written_precisely_enough(residences, sociaux, rule, written) -> None:
    applied, text = band_sentence(residences, sociaux)
    assert applied == rule
    assert written in text, text


def test_with_the_rounded_measure_the_sentence_shows_the_rounded_gap_and_the_exact_one() -> None:
    """Convention mesure_ecart=centieme_de_point (L. 302-8, VII, 1° and 2°): 1,9996 point rounds to
    2 points, which is within the 1° band; the sentences say so and show both figures."""
    result = evaluate(
        commune(residences_principales=1_000_000, logements_sociaux=230_004),
        conventions={"mesure_ecart": "centieme_de_point"},
    )
    texts = {step.regle: step.texte for step in result.explication}
    assert "est de 2 points (écart calculé : 1,9996 point" in texts["L302-8.VII.ecart-retenu"]
    assert "(2 points) est compris entre 2 points et 4 points" in texts["L302-8.VII.1°"]


@pytest.mark.parametrize(
    ("value", "written"),
    [(Fraction(1), "1 point"), (Fraction(199, 100), "1,99 point"), (Fraction(1999, 1000), "2 points"),
     (Fraction(2), "2 points"), (Fraction(0), "0 point"), (Fraction(-3, 2), "-1,5 point")],
)
def test_point_agrees_with_the_figure_written(value, written) -> None:
    assert french(value, "points").replace("\u2212", "-") == written


def test_two_different_rates_of_one_sentence_never_read_the_same() -> None:
    values = {"a": Fraction(249996, 1_000_000), "b": Fraction(1, 4)}
    kinds = {"a": "taux", "b": "taux"}
    text = fill("{a} pour {b}", values.get, kinds.get)
    assert text.replace("\xa0", " ") == "24,9996 % pour 25 %"


def test_a_template_is_filled_as_str_format_fills_it() -> None:
    """fill() reads a template once into its parts: the alignments and widths the loader admits,
    doubled braces and a name shown twice must come out as ``str.format`` writes them."""
    values = {"a": 1500, "b": Fraction(1, 4)}
    kinds = {"a": "entier", "b": "taux"}
    template = "{{accolades}} {a:>8}|{b:<7}|{a:^9}|{a} et {b}."
    expected = template.format(a=french(1500, "entier"), b=french(Fraction(1, 4), "taux"))
    assert fill(template, values.get, kinds.get) == expected
    assert "{accolades}" in expected and "   1\u202f500|" in expected.replace("\xa0", "\u202f")


def _decimal_by_definition(value: Fraction | int) -> Decimal:
    """The JSON form of an exact number, by definition: its exact digits when it terminates, else
    the value rounded half to even at JSON_PLACES decimals (Fraction's own exact rounding); no
    trailing zeros, an integer without exponent."""
    fraction = Fraction(value)
    if _only_2_and_5(fraction.denominator):
        scaled, places = fraction, 0
        while scaled.denominator != 1:
            scaled, places = scaled * 10, places + 1
    else:
        scaled, places = Fraction(round(fraction * 10**JSON_PLACES)), JSON_PLACES
    digits = int(scaled)
    while places and digits % 10 == 0:
        digits, places = digits // 10, places - 1
    return Decimal(digits) if places == 0 else Decimal(digits).scaleb(-places, context=Context(prec=400))


def _only_2_and_5(denominator: int) -> bool:
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.integers(-10**30, 10**30),
        st.builds(Fraction, st.integers(-10**12, 10**12), st.sampled_from([2, 4, 5, 8, 16, 20, 25, 100, 3, 6, 7, 12, 10**9, 2**40])),
        st.fractions(max_denominator=10**6),
        st.builds(Fraction, st.integers(-10**45, 10**45), st.sampled_from([3, 7, 12, 3 * 2**40, 10**20 + 1])),
    )
)
def test_an_exact_number_is_written_as_its_decimal_definition_says(value) -> None:
    """Every rate and point in JSON is this decimal text, the very Decimal (digits and exponent) of
    the definition, whatever the size (beyond 28 digits it was rounded, or failed)."""
    value = int(value) if isinstance(value, Fraction) and value.denominator == 1 else value
    got, expected = exact_decimal(value), _decimal_by_definition(value)
    assert (str(got), got.as_tuple()) == (str(expected), expected.as_tuple())


@pytest.mark.parametrize("value", [Fraction(5, 1000), Fraction(-5, 1000), Fraction(1, 3), Fraction(-2, 3), Fraction(1249, 1000), 7, -7, 0])
def test_figures_round_half_away_from_zero_in_sentences(value) -> None:
    """« 0,01 » for 0,005 and « -0,01 » for -0,005: half away from zero, as publications print."""
    exact = Fraction(value) * 100
    whole = int(abs(exact) + Fraction(1, 2)) * (1 if exact >= 0 else -1)
    assert french(value, "nombre").replace("\u2212", "-") == french(Fraction(whole, 100), "nombre").replace("\u2212", "-")


def test_an_overridden_convention_is_explained_by_its_own_justification() -> None:
    """Convention mesure_ecart (L. 302-8, VII, 1° and 2°): the default's justification defends the
    exact rate; the user who picks the rounded gap reads why one may, from the rule file."""
    from cms_law import load_rulebook

    convention = load_rulebook().conventions["mesure_ecart"]
    steps = {
        option: next(s for s in evaluate(commune(), conventions={"mesure_ecart": option}).explication
                     if s.regle == "convention.mesure_ecart").texte
        for option in ("exact", "centieme_de_point")
    }
    assert "(option par défaut)" in steps["exact"] and convention.justification in steps["exact"]
    assert convention.justifications["centieme_de_point"] in steps["centieme_de_point"]
    assert convention.justification not in steps["centieme_de_point"]
    assert "au lieu de l'option par défaut : écart calculé sur le taux exact" in steps["centieme_de_point"]


def test_every_option_other_than_the_default_has_its_justification(rules_copy) -> None:
    from cms_law import RuleFileError, load_rulebook

    for convention in load_rulebook().conventions.values():
        assert set(convention.justifications) == set(convention.options) - {convention.defaut}, convention.nom

    def drop(data):
        del data["conventions"]["mesure_ecart"]["justifications"]

    with pytest.raises(RuleFileError, match="justifications.*centieme_de_point"):
        rules_copy("cch/L302-8/2022-02-23.yaml", drop)
