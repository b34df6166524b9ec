"""One value in French, and the filling of the rules' French templates.

Numbers, percentages and dates are formatted for ``fr_FR`` with babel. This module sits just above
the expression language: the model (a citation's wording), the evaluation (a step's sentence, an
input check's message, a contract's finding) and the presentation all write values through it, so
that a figure reads the same wherever it appears.
"""

from __future__ import annotations

import datetime as dt
import functools
import string
from collections.abc import Callable
from decimal import Decimal, localcontext
from fractions import Fraction

from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, parse_pattern

from .expressions import Value
from .language import half_away_from_zero

LOCALE = "fr_FR"
#: Decimal places kept when a non-terminating exact value must be written as a decimal.
JSON_PLACES = 12
#: Decimal places shown in French sentences (the data keep the exact value).
TEXT_PLACES = 2


def exact_decimal(value: Fraction | int) -> Decimal:
    """The value as a Decimal: exact when it terminates, else rounded to ``JSON_PLACES``
    (half to even), with no trailing zeros."""
    numerator, denominator = value.numerator, value.denominator
    rest, twos, fives = denominator, 0, 0
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest == 1:
        # It terminates: its digits, in integers. A fraction in lowest terms over 2^a·5^b has no
        # trailing zero once scaled by 10^max(a, b), and a Decimal read from text is exact.
        places = max(twos, fives)
        digits = numerator * (10**places // denominator)
        return Decimal(digits) if places == 0 else Decimal(f"{digits}E-{places}")
    with localcontext() as context:
        # Enough digits for the whole part and JSON_PLACES decimals, whatever the size (the
        # default context's 28 digits would round them away, or fail).
        context.prec = max(60, len(str(abs(numerator) // denominator)) + JSON_PLACES + 2)
        decimal = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1).scaleb(-JSON_PLACES)).normalize()
        if not decimal:  # a tiny negative value rounds to zero, not to « -0 »
            return Decimal(0)
        return decimal.quantize(Decimal(1)) if decimal == decimal.to_integral() else decimal


@functools.cache
def _patterns() -> tuple[Locale, NumberPattern, NumberPattern]:
    """The locale and its patterns for decimals and percentages, parsed once (what babel's
    ``format_decimal`` and ``format_percent`` do on every call)."""
    locale = Locale.parse(LOCALE)
    return locale, parse_pattern(locale.decimal_formats[None]), parse_pattern(locale.percent_formats[None])


def french(value: Value, kind: str | None, places: int = TEXT_PLACES) -> str:
    """A value as a French reader expects it (``33 %``, ``1 500``, ``2,5 points``, ``1er janvier 2023``).

    Numbers are rounded to ``places`` decimals (of the percentage, for a rate).
    """
    # Cached: babel's formatting is costly, and a batch writes the same rates and thresholds
    # thousands of times.
    if type(value) is Fraction:
        return _french_fraction(value.numerator, value.denominator, kind, places)
    return _french(type(value).__name__, value, kind, places)


@functools.lru_cache(maxsize=8192)
def _french_fraction(numerator: int, denominator: int, kind: str | None, places: int) -> str:
    # Keyed on the two integers: hashing a Fraction costs a modular inverse.
    return _written(Fraction(numerator, denominator), kind, places)


@functools.lru_cache(maxsize=8192)
def _french(_type: str, value: Value, kind: str | None, places: int) -> str:
    # Keyed on the type too, so that True and 1 (equal and same hash) are not confused.
    return _written(value, kind, places)


def _written(value: Value, kind: str | None, places: int) -> str:
    if value is None:
        return "inconnu"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.date):
        text = format_date(value, format="long", locale=LOCALE)
        return text.replace("1 ", "1er ", 1) if value.day == 1 else text
    if kind == "annee":
        return str(value)
    if isinstance(value, (int, Fraction)):
        locale, decimal, percent = _patterns()
        if kind == "taux":
            shown = _rounded(Fraction(value) * 100, places) / 100
            return percent.apply(shown, locale, decimal_quantization=False)
        shown = _rounded(value, places)
        text = decimal.apply(shown, locale, decimal_quantization=False)
        if kind == "points":
            # The noun agrees with the figure the reader sees: « 1,99 point », « 2 points ».
            return f"{text} point{'s' if abs(shown) >= 2 else ''}"
        return text
    return str(value)


def _rounded(value: Fraction | int, places: int = TEXT_PLACES) -> Decimal:
    # Half away from zero, as French publications print figures, not Python's half-even. The
    # social-housing rate a text states is not this display of an exact value but the published
    # rate, rounded by the rules' convention arrondi_publication_taux.
    scale = 10**places
    return exact_decimal(Fraction(half_away_from_zero(value.numerator * scale, value.denominator), scale))


def _distinct_places(values: dict[str, tuple[Value, str | None]]) -> dict[str, int]:
    """Decimals enough for two different figures of the same kind in one sentence never to read
    the same: an écart of 1,996 point compared with 2 points is written « 1,996 point », not
    « 2 points », so the sentence shows the comparison the rule made."""
    places = dict.fromkeys(values, TEXT_PLACES)
    # Only figures of one kind can read alike; most sentences have one figure of each kind.
    by_kind: dict[str | None, list[tuple[str, int | Fraction]]] = {}
    for name, (value, kind) in values.items():
        if isinstance(value, (int, Fraction)) and not isinstance(value, bool) and kind != "annee":
            by_kind.setdefault(kind, []).append((name, value))
    for kind, figures in by_kind.items():
        # Distinct whole numbers never read alike (a rate is written in hundredths, so it may).
        if len(figures) < 2 or (kind != "taux" and all(isinstance(value, int) for _, value in figures)):
            continue
        if not _clash(figures, kind):
            continue  # the usual case: at the usual precision, different figures already read differently
        # Each figure is written once per precision tried: a sentence compares every pair of its figures.
        shown: dict[tuple[str, int], str] = {}

        def written(name: str, value: int | Fraction, precision: int) -> str:
            text = shown.get((name, precision))
            if text is None:
                text = shown[name, precision] = french(value, kind, precision)
            return text

        for name, value in figures:
            others = [(key, other) for key, other in figures if key != name and other != value]
            while others and places[name] < JSON_PLACES and any(
                written(key, other, places[name]) == written(name, value, places[name]) for key, other in others
            ):
                places[name] += 1
    return places


def _clash(figures: list[tuple[str, int | Fraction]], kind: str | None) -> bool:
    """Whether two different figures read the same at :data:`TEXT_PLACES`."""
    read: dict[str, int | Fraction] = {}
    for _, value in figures:
        text = french(value, kind)
        if read.setdefault(text, value) != value:
            return True
    return False


def fill(template: str, lookup: Callable[[str], Value], type_of: Callable[[str], str | None]) -> str:
    """Fill a rule's French template, formatting each named value for its type, each figure
    precisely enough to be told apart from the others of its kind in the sentence."""
    parts, names = _template(template)
    places = _distinct_places({name: (lookup(name), type_of(name)) for name in names}) if len(names) > 1 else {}
    pieces = []
    for literal, name, spec in parts:
        pieces.append(literal)
        if name is not None:
            text = french(lookup(name), type_of(name), places.get(name, TEXT_PLACES))
            pieces.append(format(text, spec) if spec else text)
    return "".join(pieces)


@functools.lru_cache(maxsize=4096)
def _template(template: str) -> tuple[tuple[tuple[str, str | None, str], ...], tuple[str, ...]]:
    """A template read once: each literal text followed by the name it shows (if any) and that
    name's format (an alignment and a width, the only ones the loader admits), and its names.
    Filling these parts is ``str.format`` without its machinery, some thirty times a commune."""
    parts = tuple((literal, name or None, spec or "") for literal, name, spec, _ in string.Formatter().parse(template))
    return parts, tuple(dict.fromkeys(name for _, name, _ in parts if name))
