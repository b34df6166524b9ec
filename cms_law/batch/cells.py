"""CSV cells a spreadsheet cannot run.

A spreadsheet runs a cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula (and a leading
tab or carriage return hides such a start): a commune named ``=HYPERLINK(…)`` in an inventory
would run when the results are opened. Every text cell of a CSV output that starts with one of
these characters is written after an apostrophe (``'=…``), which spreadsheets show as text and do
not run; a number (``-9.01``, points under the target) is no formula and is written as it is.
"""

from __future__ import annotations

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


#: What makes a cell quoted in the CSV dialect written (the ``excel`` dialect of the csv module,
#: with its minimal quoting): the delimiter, the quote, or a line break.
_QUOTED = re.compile('[,"\r\n]')


def csv_line(cells: Iterable[object]) -> str:
    """A row of cells as one CSV line, each cell made safe.

    The same line as ``csv.writer`` writes (the ``excel`` dialect: commas, a cell quoted when it
    holds a comma, a quote or a line break, quotes doubled, CRLF at the end; property test
    against it), written with ``str.replace``: the csv module reads a cell character by
    character, 16 times slower on an explanation of 20 000 characters (``--explain``).
    """
    fields = [_field(cell(value)) for value in cells]
    if fields == [""]:  # the csv module quotes a lone empty cell, or the line would read as no cell
        fields = ['""']
    return ",".join(fields) + "\r\n"


def _field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if _QUOTED.search(text) else text
