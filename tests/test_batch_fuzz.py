"""Fuzzing ``cms-law batch`` with generated CSV files: nothing lost, no traceback, no hang.

Each file is drawn by Hypothesis: an encoding (UTF-8 with or without BOM, Windows-1252, UTF-16),
a delimiter, comment lines, a header (now and then a wrong one), and rows good or bad: names like
formulas or starting with ``#``, quoted line breaks and delimiters, cells over the csv module's
limit, duplicate codes, text in number cells, cells missing or in excess, blank lines. Through the
Python API and through the command line in a subprocess, every outcome must be one of the
documented ones: the whole file refused (``InputError``, exit 1), or every data row either in the
results or in the errors file (exits 0, 4, 70) — never a traceback, a hang or a lost row.

A short profile runs with the test suite. The long one is run on demand and prints its figures
(inputs tried, crashes, hangs, rows lost) instead of stopping at the first failure::

    .venv/bin/python tests/test_batch_fuzz.py --exemples 2000
"""

from __future__ import annotations

import argparse
import collections
import csv
import io
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cms_law import InputError, batch
from fuzzing import Hang, bounded

COLUMNS = [
    "nom", "code_insee", "population", "unite_urbaine_paris", "agglomeration_ou_epci_eligible", "taux_cible",
    "residences_principales", "logements_sociaux", "plh",
]  # fmt: skip
GOOD = ["Villeneuve", "99001", "18450", "non", "oui", "25 %", "8200", "1714", "oui"]
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "utf-16")
DELIMITERS = (",", ";", "\t")
#: Seconds an example may take in process (a few rows of a few milliseconds each, and the slack of a loaded machine).
EXAMPLE_SECONDS = 20
DOCUMENTED_EXITS = {0, 1, 4, 70}
_BREAK = re.compile(r"\r\n|\r|\n")

_letters = st.sampled_from(list("abcXYZéèàçÉ -'") + ["=", "+", "-", "@", "#", "\t", "\r", "\n", '"', ",", ";", "|"])
_text = st.text(_letters, min_size=0, max_size=12)
_numbers = st.one_of(
    st.integers(0, 20_000).map(str),
    st.integers(-5, 10**30).map(str),
    st.sampled_from(["", "douze", "1e5", "12,5", "0.2500000001", "-0", "NaN", "inf", "=1+1"]),
)


@st.composite
def rows(draw: st.DrawFn) -> list[str]:
    cells = list(GOOD)
    kind = draw(st.sampled_from(["good", "name", "numbers", "duplicate", "width", "huge"]))
    if kind in ("name", "numbers", "duplicate", "width", "huge"):
        cells[0] = draw(_text) or "x"
    if kind == "numbers":
        for index in (2, 6, 7):
            cells[index] = draw(_numbers)
    if kind == "duplicate":
        cells[1] = "99001"
    else:
        cells[1] = f"99{draw(st.integers(0, 999)):03d}"
    if kind == "width":
        cells = cells[: draw(st.integers(1, len(cells) - 1))] if draw(st.booleans()) else [*cells, "en trop"]
    if kind == "huge":
        cells[0] = "L" * draw(st.sampled_from([131_072, 131_073, 200_000]))
    return cells


@attrs.frozen
class Drawn:
    """A generated CSV file and the line where each of its data rows starts."""

    data: bytes
    lines: tuple[int, ...]
    encoding: str
    delimiter: str
    header_ok: bool

    def __repr__(self) -> str:
        shown = self.data if len(self.data) < 2000 else self.data[:1000] + b"[...]" + self.data[-500:]
        return (f"Drawn({len(self.data)} octets, {self.encoding}, {self.delimiter!r}, en-tête juste : {self.header_ok},"
                f" lignes {self.lines}, {shown!r})")


@st.composite
def csv_files(draw: st.DrawFn) -> Drawn:
    encoding = draw(st.sampled_from(ENCODINGS))
    delimiter = draw(st.sampled_from(DELIMITERS))
    header = list(COLUMNS)
    if draw(st.integers(0, 9)) == 0:
        header[draw(st.integers(0, len(header) - 1))] = draw(st.sampled_from(["exemptée", "", "nom", "x" * 300]))
    # « nom » drawn for the « nom » column leaves the header as it was: judged by what is written.
    header_ok = header == list(COLUMNS)
    text = io.StringIO()
    # The csv module quotes a cell holding a character of its line terminator: with "\n" alone, a
    # cell holding "\r" must be quoted by QUOTE_ALL, or it would be a line break of the file.
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    quoting = csv.QUOTE_ALL if ending == "\n" else draw(st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL]))
    writer = csv.writer(text, delimiter=delimiter, lineterminator=ending, quoting=quoting)
    for _ in range(draw(st.integers(0, 2))):
        text.write("# commentaire" + writer.dialect.lineterminator)
    writer.writerow(header)
    lines = []
    for cells in draw(st.lists(rows(), min_size=0, max_size=8)):
        if draw(st.integers(0, 9)) == 0:
            text.write(writer.dialect.lineterminator)  # a blank line: no row
        lines.append(len(_BREAK.findall(text.getvalue())) + 1)
        writer.writerow(cells)
    content = text.getvalue()
    if encoding == "cp1252":
        content = content.replace("É", "E")  # every letter drawn has a Windows-1252 byte
    return Drawn(content.encode(encoding), tuple(lines), encoding, delimiter, header_ok)


def _lines_written(path: Path) -> set[int]:
    """The lines named by a results or errors file (whose cells may be as long as the input's)."""
    if not path.exists():
        return set()
    limit = csv.field_size_limit(sys.maxsize)
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            # A results file opens with the comment line saying what produced it.
            lines = (line for number, line in enumerate(stream) if number or not line.startswith("#"))
            return {int(row["ligne"]) for row in csv.DictReader(lines)}
    finally:
        csv.field_size_limit(limit)


def run_in_process(drawn: Drawn, directory: Path) -> str:
    """``"ok"``, or what went wrong: ``"perdu"`` (a row in neither file), ``"plantage"``, ``"blocage"``."""
    source = directory / "entree.csv"
    source.write_bytes(drawn.data)
    output, errors = directory / "sortie.csv", directory / "erreurs.csv"
    try:
        with bounded(EXAMPLE_SECONDS):
            summary = batch.run(source, output, errors_path=errors, jobs=1, stderr=io.StringIO())
    except InputError:
        return "ok" if not drawn.header_ok else "refus inattendu"
    except Hang:
        return "blocage"
    except Exception:  # noqa: BLE001 - what the fuzzer looks for
        return "plantage"
    found = _lines_written(output) | _lines_written(errors)
    if not drawn.header_ok:
        return "en-tête faux accepté"
    if set(drawn.lines) - found or summary.done != len(drawn.lines) or not summary.complete:
        return "perdu"
    return "ok"


def run_command(drawn: Drawn, directory: Path) -> str:
    """The same through ``cms-law batch`` in a subprocess: a documented exit code, no traceback."""
    source = directory / "entree.csv"
    source.write_bytes(drawn.data)
    output, errors = directory / "sortie.csv", directory / "erreurs.csv"
    command = [sys.executable, "-m", "cms_law", "batch", str(source), "-o", str(output), "--errors", str(errors)]
    try:
        done = subprocess.run([*command, "--jobs", "2"], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return "blocage"
    if "Traceback" in done.stderr or done.returncode not in DOCUMENTED_EXITS:
        return "plantage"
    if done.returncode == 1:
        return "ok" if not drawn.header_ok else "refus inattendu"
    if set(drawn.lines) - (_lines_written(output) | _lines_written(errors)):
        return "perdu"
    return "ok"


#: Outcomes counted by the long profile, instead of stopping at the first.
TALLY: collections.Counter[str] | None = None


def _check(outcome: str) -> None:
    if TALLY is not None:
        TALLY[outcome] += 1
        return
    assert outcome == "ok", outcome


_SHORT = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@_SHORT
@given(csv_files())
def test_generated_csv_files_in_process(drawn: Drawn) -> None:
    with tempfile.TemporaryDirectory() as directory:
        _check(run_in_process(drawn, Path(directory)))


@settings(_SHORT, max_examples=4)
@given(csv_files())
def test_generated_csv_files_through_the_command_line(drawn: Drawn) -> None:
    with tempfile.TemporaryDirectory() as directory:
        _check(run_command(drawn, Path(directory)))


def main() -> None:
    global TALLY
    parser = argparse.ArgumentParser(description="Fuzzing de cms-law batch, profil long")
    parser.add_argument("--exemples", type=int, default=1000, help="fichiers essayés en processus (défaut : 1000)")
    parser.add_argument("--commande", type=int, default=50, help="fichiers essayés par la ligne de commande (défaut : 50)")
    arguments = parser.parse_args()
    for name, test, count in (
        ("en processus", test_generated_csv_files_in_process, arguments.exemples),
        ("par la ligne de commande", test_generated_csv_files_through_the_command_line, arguments.commande),
    ):
        TALLY = collections.Counter()
        started = time.monotonic()
        given(csv_files())(settings(_SHORT, max_examples=count, database=None)(test.hypothesis.inner_test))()
        tried = sum(TALLY.values())
        print(f"{name} : {tried} fichiers essayés en {time.monotonic() - started:.0f} s ;"
              f" plantages {TALLY['plantage']}, blocages {TALLY['blocage']}, lignes perdues {TALLY['perdu']},"
              f" autres écarts {tried - TALLY['ok'] - TALLY['plantage'] - TALLY['blocage'] - TALLY['perdu']}"
              f" ({dict(TALLY)})")


if __name__ == "__main__":
    main()
