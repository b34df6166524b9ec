"""CSV cells a spreadsheet cannot run.

A spreadsheet runs a cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula (and a leading
tab or carriage return hides such a start): a commune named ``=HYPERLINK(…)`` in an inventory
would run when the results are opened. Every text cell of a CSV output that starts with one of
these characters is written after an apostrophe (``'=…``), which spreadsheets show as text and do
not run; a number (``-9.01``, points under the target) is no formula and is written as it is.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

#: What a spreadsheet takes for the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def spreadsheet_safe(text: str) -> str:
    """``text`` as a spreadsheet shows it without running it: after an apostrophe when it could start a formula."""
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def plain(value: object) -> str:
    """A value as text: empty for none, ``oui``/``non`` for a boolean."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


def cell(value: object) -> str:
    """A value as a CSV cell: :func:`plain`, made safe for a spreadsheet."""
    return spreadsheet_safe(plain(value))


class CsvLine:
    """Formats rows of cells as CSV lines, each made safe (one buffer reused, one per user)."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)

    def __call__(self, cells: Iterable[object]) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow([cell(value) for value in cells])
        return self._buffer.getvalue()
