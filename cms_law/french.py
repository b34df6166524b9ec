"""One value in French, and the filling of the rules' French templates.

Numbers, percentages and dates are formatted for ``fr_FR`` with babel. This module sits just above
the expression language: the model (a citation's wording), the evaluation (a step's sentence, an
input check's message, a contract's finding) and the presentation all write values through it, so
that a figure reads the same wherever it appears.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal, localcontext
from fractions import Fraction

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from .expressions import Value

LOCALE = "fr_FR"
#: Decimal places kept when a non-terminating exact value must be written as a decimal.
JSON_PLACES = 12
#: Decimal places shown in French sentences (the data keep the exact value).
TEXT_PLACES = 2


def exact_decimal(value: Fraction | int) -> Decimal:
    """The value as a Decimal: exact when it terminates, else rounded to ``JSON_PLACES``."""
    fraction = Fraction(value)
    denominator = fraction.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    with localcontext() as context:
        context.prec = 60
        decimal = Decimal(fraction.numerator) / Decimal(fraction.denominator)
        if denominator != 1:
            decimal = decimal.quantize(Decimal(1).scaleb(-JSON_PLACES))
    normalized = decimal.normalize()
    return normalized.quantize(Decimal(1)) if normalized == normalized.to_integral() else normalized


def french(value: Value, kind: str | None) -> str:
    """A value as a French reader expects it (``33 %``, ``1 500``, ``2,5 points``, ``1er janvier 2023``)."""
    return _french(type(value).__name__, value, kind)


@functools.lru_cache(maxsize=8192)
def _french(_type: str, value: Value, kind: str | None) -> str:
    # Keyed on the type too, so that True and 1 (equal and same hash) are not confused. The
    # cache matters: babel re-parses its patterns on each call, and a batch formats the same
    # rates and thresholds thousands of times.
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
        shown = _rounded(value)
        if kind == "taux":
            return format_percent(_rounded(Fraction(value) * 100) / 100, locale=LOCALE, decimal_quantization=False)
        text = format_decimal(shown, locale=LOCALE, decimal_quantization=False)
        if kind == "points":
            return f"{text} point{'s' if abs(Fraction(value)) >= 2 else ''}"
        return text
    return str(value)


def _rounded(value: Fraction | int) -> Decimal:
    return exact_decimal(Fraction(round(Fraction(value) * 10**TEXT_PLACES), 10**TEXT_PLACES))


class _Formatted(dict):  # type: ignore[type-arg]
    """A template's names, each formatted for French on first use."""

    def __init__(self, lookup: Callable[[str], Value], type_of: Callable[[str], str | None]) -> None:
        super().__init__()
        self.lookup = lookup
        self.type_of = type_of

    def __missing__(self, name: str) -> str:
        return french(self.lookup(name), self.type_of(name))


def fill(template: str, lookup: Callable[[str], Value], type_of: Callable[[str], str | None]) -> str:
    """Fill a rule's French template, formatting each named value for its type."""
    return template.format_map(_Formatted(lookup, type_of))
