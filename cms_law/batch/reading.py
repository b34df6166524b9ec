"""Reading a CSV file of communes: its encoding, its delimiter, its header, then its rows one by one.

The file is read twice, and never held whole: a first pass checks the encoding and counts the rows
(a malformed file is found before any row is evaluated, and the count sizes the progress bar and
the share of work of each process), the second yields them as the batch evaluates them. Whatever
a row holds, it is a row: an unreadable one (a cell longer than the csv module's limit, 131 072 characters, a line longer
than :data:`LINE_LIMIT`, the wrong number of cells) is yielded as :class:`Unreadable`, with the
lines it spans, and becomes an entry of the errors file; only the file as a whole (its encoding or
its header) can be refused.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import attrs

from ..errors import InputError, Problem, os_reason
from ..french import french
from ..inputs import did_you_mean
from ..model import RuleBook

#: The optional column giving a row its own period (``AAAA-AAAA``) instead of ``--period``.
PERIOD_COLUMN = "periode"
#: The longest physical line read, in characters; a longer one is a row error, read in pieces.
LINE_LIMIT = 1_048_576
#: Delimiters recognised, the most frequent in the header line wins (``,`` on a tie).
DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {"\t": "tabulation"}
_QUOTE = '"'
# A header gone wrong (a data row taken for it, a binary file) is described briefly.
_MAX_HEADER_PROBLEMS = 20
_SHOWN = 80

# Byte-order marks, the longest first (UTF-32 LE begins as UTF-16 LE does).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32 (avec BOM)"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 (avec BOM)"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 (avec BOM)"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 (avec BOM)"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 (avec BOM)"),
)


@attrs.frozen
class Unreadable:
    """A record that is not a row of communes: why, in French, and the cells read (if any)."""

    message: str
    cells: tuple[str, ...] = ()


#: One record of the file: the line it starts on, and its cells or why they cannot be read.
Record = tuple[int, "list[str] | Unreadable"]


@attrs.frozen
class CsvSource:
    """A CSV file of communes, its encoding found, its header checked and its rows counted."""

    path: Path
    opener: Callable[[], BinaryIO] = attrs.field(repr=False)
    codec: str
    encoding: str
    delimiter: str
    columns: tuple[str, ...]
    rows: int = 0

    @property
    def delimiter_name(self) -> str:
        return _DELIMITER_NAMES.get(self.delimiter, self.delimiter)

    def records(self) -> Iterator[Record]:
        """Each data row with the number of the line it starts on, read as the caller goes."""
        with self.opener() as raw:
            text = io.TextIOWrapper(raw, encoding=self.codec, errors="strict", newline="")
            lines = _Lines(text)
            _header(lines)
            yield from _records(lines, self.delimiter, len(self.columns))


def read_csv(path: str | Path, book: RuleBook) -> CsvSource:
    """Find the file's encoding and delimiter, check its header against the input fields, count its rows."""
    path = Path(path)

    def opener() -> BinaryIO:
        try:
            return open(path, "rb")
        except OSError as error:
            raise InputError([Problem("fichier", f"lecture impossible de {path} : {os_reason(error)}")]) from None

    return _source(path, opener, book)


def parse_csv(data: bytes, path: Path, book: RuleBook) -> CsvSource:
    """:func:`read_csv` of bytes already read (an HTTP request's body); ``path`` names them in errors."""
    return _source(path, lambda: io.BytesIO(data), book)


def _source(path: Path, opener: Callable[[], BinaryIO], book: RuleBook) -> CsvSource:
    with opener() as raw:
        start = raw.read(4)
    codec, encoding = _encoding_of(start, path)
    for attempt in (codec, "cp1252") if codec == "utf-8" else (codec,):
        try:
            return _counted(path, opener, attempt, encoding if attempt == codec else "Windows-1252", book)
        except UnicodeDecodeError as error:
            failure = error
    if codec != "utf-8":
        raise InputError([Problem("fichier", f"{path} n'est pas en {encoding} valide : l'enregistrer en UTF-8")])
    byte = failure.object[failure.start : failure.start + 1].hex()
    raise InputError(
        [Problem("fichier", f"{path} n'est ni en UTF-8 ni en Windows-1252 (octet 0x{byte}) : l'enregistrer en UTF-8")]
    )


def _encoding_of(start: bytes, path: Path) -> tuple[str, str]:
    """The codec a file's first bytes announce; UTF-16 without its mark is refused, not misread."""
    for bom, codec, label in _BOMS:
        if start.startswith(bom):
            return codec, label
    if len(start) >= 2 and (start[0] == 0) != (start[1] == 0):
        raise InputError(
            [Problem("fichier", f"{path} semble être en UTF-16 sans BOM (octets nuls) : l'enregistrer en UTF-8")]
        )
    return "utf-8", "UTF-8"


def _counted(path: Path, opener: Callable[[], BinaryIO], codec: str, encoding: str, book: RuleBook) -> CsvSource:
    """The source with its header checked and its rows counted: the first whole pass over the file."""
    with opener() as raw:
        text = io.TextIOWrapper(raw, encoding=codec, errors="strict", newline="")
        lines = _Lines(text)
        header_line = _header(lines)
        counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
        delimiter = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
        header = next(csv.reader([header_line], delimiter=delimiter), [])
        columns = tuple(column.strip() for column in header)
        problems = _header_problems(columns, book)
        if problems:
            raise InputError(problems)
        rows = sum(1 for _ in _records(lines, delimiter, len(columns)))
    return CsvSource(path, opener, codec, encoding, delimiter, columns, rows)


def _header(lines: _Lines) -> str:
    """The header line, after the comment lines that may come before it (and only there)."""
    try:
        for line in lines:
            if not line.startswith("#"):
                return line
    except _LineTooLong:
        message = f"ligne {lines.number} de plus de {french(LINE_LIMIT, 'entier')} caractères, avant la première ligne de données"
        raise InputError([Problem("fichier", message)]) from None
    return ""


def _records(lines: _Lines, delimiter: str, width: int) -> Iterator[Record]:
    """Every record after the header; an empty one (a blank line) is no row."""
    reader = csv.reader(lines, delimiter=delimiter)
    while True:
        lines.start_record()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except (csv.Error, _LineTooLong) as error:
            lines.skip_quoted()
            reason = (
                f"cellule de plus de {french(csv.field_size_limit(), 'entier')} caractères" if isinstance(error, csv.Error)
                else f"ligne de plus de {french(LINE_LIMIT, 'entier')} caractères"
            )
            yield lines.first, Unreadable(f"{reason}{lines.span()} : ligne non lue")
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != width:
            message = (
                f"la ligne compte {len(cells)} valeurs pour {width} colonnes{lines.span()}"
                " (séparateur ou guillemets mal placés ?)"
            )
            yield lines.first, Unreadable(message, tuple(cells))
            continue
        yield lines.first, cells


class _LineTooLong(Exception):
    """Raised through the csv reader when a physical line exceeds :data:`LINE_LIMIT`."""


class _Lines:
    """The physical lines of a text, each at most :data:`LINE_LIMIT` characters long, numbered.

    A record may span several lines (a quoted cell holding a line break); its number is that of
    its first line, the one a user looks for in a spreadsheet or an editor. The count of quote
    characters in the current record tells, after an unreadable record, whether its end is still
    inside a quoted cell: the lines up to the closing quote belong to it, not to the next rows.
    """

    def __init__(self, text: io.TextIOBase) -> None:
        self._text = text
        self.number = 0
        self.first = 0
        self._quotes = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self._text.readline(LINE_LIMIT)
        if not line:
            raise StopIteration
        self.number += 1
        if not self.first:
            self.first = self.number
        self._quotes += line.count(_QUOTE)
        if len(line) == LINE_LIMIT and not line.endswith(("\n", "\r")):
            self._rest_of_line()
            raise _LineTooLong
        return line

    def start_record(self) -> None:
        self.first = 0
        self._quotes = 0

    def span(self) -> str:
        return f" (lignes {self.first} à {self.number})" if self.number > self.first else ""

    def skip_quoted(self) -> None:
        """After an unreadable record: its lines up to the end of its quoted cell, if it is in one."""
        while self._quotes % 2:
            line = self._text.readline(LINE_LIMIT)
            if not line:
                return
            self._quotes += line.count(_QUOTE)
            if line.endswith(("\n", "\r")):
                self.number += 1

    def _rest_of_line(self) -> None:
        while True:
            piece = self._text.readline(LINE_LIMIT)
            self._quotes += piece.count(_QUOTE)
            if not piece or piece.endswith(("\n", "\r")):
                return


def _header_problems(columns: Sequence[str], book: RuleBook) -> list[Problem]:
    """Unknown, duplicated and missing columns: a problem of the whole file, not of a row.

    An unknown column is refused rather than ignored: a misspelt optional field (``exemptée``)
    would otherwise be silently dropped and change every result.
    """
    accepted = [field.cle for field in book.entrees] + [PERIOD_COLUMN]
    if not columns or columns == ("",):
        message = f"aucune ligne d'en-tête : la première ligne doit nommer les colonnes ({', '.join(accepted)})"
        return [Problem("fichier", message)]
    problems: list[Problem] = []
    for index, column in enumerate(columns, start=1):
        if len(problems) == _MAX_HEADER_PROBLEMS:
            problems.append(Problem("fichier", f"… et d'autres colonnes ({len(columns)} en tout)"))
            break
        if not column:
            problems.append(Problem(f"colonne {index}", "colonne sans nom dans la ligne d'en-tête"))
        elif column not in accepted:
            hint = did_you_mean(column, accepted) if len(column) <= _SHOWN else ""
            shown = column if len(column) <= _SHOWN else f"{column[:_SHOWN]}…"
            problems.append(Problem(shown, f"colonne inconnue{hint} (colonnes acceptées : {', '.join(accepted)})"))
        elif columns.index(column) != index - 1:
            problems.append(Problem(column, "colonne en double dans la ligne d'en-tête"))
    for field in book.entrees:
        if field.requis and field.cle not in columns:
            problems.append(Problem(field.cle, f"colonne obligatoire absente ({field.libelle})"))
    return problems
