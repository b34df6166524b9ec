"""``cms-law batch`` as a careless or hostile user runs it: nothing lost, nothing cut, nothing run.

Each test is a case of the issue « Nothing lost, nothing crashed »: a row that crashes the
evaluation, names starting with ``#`` or ``=``, a cell over the csv module's limit, UTF-16, an
unwritable errors file, a full disk, a closed pipe, a second Ctrl-C.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cms_law import batch
from cms_law.batch import writing
from cms_law.batch.cells import cell
from cms_law.cli import EXIT_CLOSED_PIPE, EXIT_INPUT, EXIT_INTERNAL, EXIT_REJECTED, EXIT_WRITE_FAILED, main

from test_batch import GOOD, HEADER, communes, partial, read_rows, write_csv

CLI = [sys.executable, "-m", "cms_law", "batch"]


def row(nom: str, code: str = "99001", residences: str = "8200") -> str:
    """The good row of ``test_batch`` under another name, code or number of main residences."""
    return GOOD.replace("Villeneuve-sur-Exemple", nom).replace("99001", code).replace(",8200,", f",{residences},")


def lines_of(path: Path) -> list[int]:
    return [int(result["ligne"]) for result in read_rows(path)]


# --------------------------------------------------------------------------- nothing lost


def test_a_row_whose_evaluation_crashes_is_an_internal_error_and_the_batch_goes_on(tmp_path, monkeypatch, capsys):
    """Any unexpected exception on one row: that row to the errors file with an identifier, the rest computed."""
    rows = communes(999)
    rows.insert(499, row("Défaut", "98000"))
    source = write_csv(tmp_path / "communes.csv", [HEADER, *rows])
    real = batch.rows.evaluate

    def crashing_on_commune_500(commune, *args, **kwargs):
        if commune["code_insee"] == "98000":
            raise ZeroDivisionError("un défaut")
        return real(commune, *args, **kwargs)

    monkeypatch.setattr(batch.rows, "evaluate", crashing_on_commune_500)

    assert main(["batch", str(source), "-o", str(tmp_path / "out.csv"), "--jobs", "1"]) == EXIT_INTERNAL

    assert lines_of(tmp_path / "out.csv") == [n for n in range(2, 1002) if n != 501]
    (error,) = read_rows(tmp_path / "out.erreurs.csv")
    assert error["ligne"] == "501" and error["code_insee"] == "98000"
    assert error["message"].startswith("erreur interne (identifiant E-")
    identifier = error["message"].split("identifiant ")[1][:10]
    report = capsys.readouterr().err
    assert "Communes évaluées : 999 sur 1\u202f000 lignes" in report
    assert f"dont 1 par une erreur interne de cms-law (défaut à signaler : {identifier})" in report
    assert "complets : 1\u202f000 lignes sur 1\u202f000" in report
    assert "Traceback" not in report


def test_a_29_digit_integer_at_line_501_loses_no_row(tmp_path, capsys):
    """The issue's case: 999 results and 1 error, the summary printed. The number is beyond the
    range the vocabulary declares for residences_principales: a field error of its row (exit 4)."""
    rows = communes(999)
    rows.insert(499, row("Enorme", "98000", "9" * 29))
    source = write_csv(tmp_path / "communes.csv", [HEADER, *rows])

    code = main(["batch", str(source), "-o", str(tmp_path / "out.csv"), "--jobs", "2"])

    assert len(read_rows(tmp_path / "out.csv")) == 999
    (error,) = read_rows(tmp_path / "out.erreurs.csv")
    assert error["ligne"] == "501"
    assert error["champ"] == "residences_principales" and code == EXIT_REJECTED
    assert "Communes évaluées : 999 sur 1\u202f000 lignes" in capsys.readouterr().err


def test_a_name_starting_with_a_hash_is_a_commune_not_a_comment(tmp_path):
    """Comments are the lines before the header; after it every line is a row, whatever it holds."""
    lines = ["# un commentaire", "#  un autre", HEADER, row("#Dièse"), "# pas un commentaire", row("Après", "99002")]
    source = write_csv(tmp_path / "communes.csv", lines)

    assert main(["batch", str(source), "-o", str(tmp_path / "out.csv"), "--jobs", "1"]) == EXIT_REJECTED

    results = read_rows(tmp_path / "out.csv")
    assert [(r["ligne"], r["nom"]) for r in results] == [("4", "#Dièse"), ("6", "Après")]
    (error,) = read_rows(tmp_path / "out.erreurs.csv")
    assert error["ligne"] == "5" and "1 valeurs pour 10 colonnes" in error["message"]


def test_quoted_line_breaks_and_duplicate_codes(tmp_path):
    """A record's number is that of its first line; two rows of the same code are both evaluated."""
    named = row("Saint-Exemple").replace("Saint-Exemple", '"Saint-\nExemple"')
    source = write_csv(tmp_path / "communes.csv", [HEADER, named, row("Double"), row("Double")])

    assert main(["batch", str(source), "-o", str(tmp_path / "out.csv"), "--jobs", "1"]) == 0

    results = read_rows(tmp_path / "out.csv")
    assert [(r["ligne"], r["nom"]) for r in results] == [("2", "Saint-\nExemple"), ("4", "Double"), ("5", "Double")]


def test_a_cell_over_the_csv_limit_is_a_row_error(tmp_path):
    """131 073 characters: more than the csv module reads in one cell. That row is reported, the
    file is read on, also when the long cell is quoted over several lines."""
    long_quoted = row('"' + "x" * 131_073 + '\nsuite\nfin"', "99003")
    lines = [HEADER, row("Avant"), row("L" * 131_073, "99002"), long_quoted, row("Après", "99004")]
    source = write_csv(tmp_path / "communes.csv", lines)

    assert main(["batch", str(source), "-o", str(tmp_path / "out.csv"), "--jobs", "1"]) == EXIT_REJECTED

    assert [r["nom"] for r in read_rows(tmp_path / "out.csv")] == ["Avant", "Après"]
    errors = read_rows(tmp_path / "out.erreurs.csv")
    assert [e["ligne"] for e in errors] == ["3", "4"]
    assert errors[0]["message"] == "cellule de plus de 131\u202f072 caractères : ligne non lue"
    assert errors[1]["message"] == "cellule de plus de 131\u202f072 caractères (lignes 4 à 6) : ligne non lue"
    assert lines_of(tmp_path / "out.csv") == [2, 7]


def test_utf16_with_its_mark_is_read_and_without_it_refused_as_such(tmp_path, capsys):
    """Excel's « texte Unicode » export: UTF-16 with a byte-order mark, tabs between the cells."""
    lines = [HEADER.replace(",", "\t"), row("Évry-Exemple").replace(",", "\t")]
    source = write_csv(tmp_path / "unicode.txt", lines, encoding="utf-16")

    assert main(["batch", str(source), "-o", str(tmp_path / "out.csv"), "--jobs", "1"]) == 0
    assert read_rows(tmp_path / "out.csv")[0]["nom"] == "Évry-Exemple"
    assert "(UTF-16 (avec BOM), séparateur « tabulation »)" in capsys.readouterr().err

    source = write_csv(tmp_path / "sans_bom.csv", [HEADER, GOOD], encoding="utf-16-le")
    assert main(["batch", str(source), "-o", str(tmp_path / "out2.csv")]) == EXIT_INPUT
    assert "semble être en UTF-16 sans BOM" in capsys.readouterr().err
    assert not (tmp_path / "out2.csv").exists()


# --------------------------------------------------------------------------- what a spreadsheet reads


FORMULAS = ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SOMME(A1)", "\tcaché", "\r=1"]


def test_formula_like_names_are_neutralised_in_csv_and_numbers_are_not(tmp_path):
    rows = [row(name, f"9900{i}") for i, name in enumerate(FORMULAS)]
    bad = row("=HYPERLINK(\"http://x\")", "99009").replace(",18450,", ",=1+1,")
    source = write_csv(tmp_path / "communes.csv", [HEADER, *[f'"{r.split(",", 1)[0]}",{r.split(",", 1)[1]}' for r in rows], bad])

    main(["batch", str(source), "-o", str(tmp_path / "out.csv"), "--jobs", "1"])

    results = read_rows(tmp_path / "out.csv")
    assert [r["nom"] for r in results] == ["'" + name.strip() if name.strip()[0] in "=+-@" else name.strip() for name in FORMULAS]
    for result in results:
        assert result["resume"][0] not in "=+-@\t\r"
        assert result["nom"][0] not in "=+-@\t\r"
    assert float(results[0]["ecart_points"]) > 0
    (error,) = read_rows(tmp_path / "out.erreurs.csv")
    assert error["nom"] == "'=HYPERLINK(\"http://x\")" and error["valeur"] == "'=1+1"


def test_negative_numbers_stay_numbers_and_json_is_left_as_written(tmp_path):
    rich = row("=Riche", "99001").replace(",1714,", ",4000,")
    source = write_csv(tmp_path / "communes.csv", [HEADER, rich])

    main(["batch", str(source), "-o", str(tmp_path / "out.csv"), "--jobs", "1"])
    main(["batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--format", "json", "--jobs", "1"])

    (result,) = read_rows(tmp_path / "out.csv")
    assert result["ecart_points"].startswith("-") and float(result["ecart_points"]) < 0
    assert result["nom"] == "'=Riche"
    assert '"nom": "=Riche"' in (tmp_path / "out.jsonl").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "safe"),
    [("=A1", "'=A1"), ("-9.01", "-9.01"), ("+33", "+33"), ("-1,5", "-1,5"), ("-1e5", "'-1e5"), ("@x", "'@x"),
     ("\t=x", "'\t=x"), ("\rx", "'\rx"), ("Paris", "Paris"), ("", "")],
)
def test_spreadsheet_safe(text, safe):
    assert batch.spreadsheet_safe(text) == safe


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet=st.sampled_from('ab ,"\r\n\t=é«»;\'')), st.integers(), st.none(), st.booleans()), max_size=6))
def test_a_csv_line_is_the_one_the_csv_module_writes(cells):
    """cms-law writes its CSV lines itself (the csv module is slow on long cells): a spreadsheet
    or a CSV reader must read them exactly as the csv module's own, quotes and line breaks included."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([cell(value) for value in cells])
    assert batch.csv_line(cells) == buffer.getvalue()
    if cells:
        assert next(csv.reader(io.StringIO(batch.csv_line(cells)))) == [cell(value) for value in cells]


# --------------------------------------------------------------------------- files whole or absent


def test_an_unwritable_errors_path_leaves_the_results_file_as_it_was(tmp_path, capsys):
    source = write_csv(tmp_path / "communes.csv", [HEADER, GOOD])
    results = tmp_path / "resultats.csv"
    results.write_text("ancien contenu\n", encoding="utf-8")

    code = main(["batch", str(source), "-o", str(results), "--errors", str(tmp_path / "absent" / "e.csv")])

    assert code == EXIT_INPUT
    assert results.read_text(encoding="utf-8") == "ancien contenu\n"
    assert "--errors : écriture impossible" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["communes.csv", "resultats.csv"]


class _FillingUp:
    """A file stream on a disk that is full after ``room`` characters."""

    def __init__(self, stream, room: int) -> None:
        self._stream, self._room = stream, room

    def write(self, text: str) -> int:
        self._room -= len(text)
        if self._room < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


@pytest.mark.parametrize("option", ["--output", "--errors"])
def test_a_full_disk_leaves_both_files_as_they_were(tmp_path, monkeypatch, capsys, option):
    rows = communes(300)
    rows[5] = rows[5].replace(",oui,", ",peut-être,", 1)
    source = write_csv(tmp_path / "communes.csv", [HEADER, *rows])
    results, errors = tmp_path / "resultats.csv", tmp_path / "resultats.erreurs.csv"
    results.write_text("résultats d'hier\n", encoding="utf-8")
    errors.write_text("erreurs d'hier\n", encoding="utf-8")
    opened = writing.AtomicFile.__init__

    def on_a_full_disk(self, path, file_option):
        opened(self, path, file_option)
        if file_option == option:
            self.stream = _FillingUp(self.stream, 20_000 if option == "--output" else 200)

    monkeypatch.setattr(writing.AtomicFile, "__init__", on_a_full_disk)

    assert main(["batch", str(source), "-o", str(results), "--jobs", "2"]) == EXIT_WRITE_FAILED

    assert results.read_text(encoding="utf-8") == "résultats d'hier\n"
    assert errors.read_text(encoding="utf-8") == "erreurs d'hier\n"
    assert not partial(results) and not partial(errors)
    report = capsys.readouterr().err
    assert f"écriture impossible de {results if option == '--output' else errors} : plus de place sur le disque" in report
    assert "non écrits, ni le fichier d'erreurs" in report


def _small_disk(path: Path) -> bool:
    """A 64 KiB tmpfs mounted at ``path``, where the tests may mount one (as root)."""
    path.mkdir()
    if os.geteuid() != 0:
        return False
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(path)], capture_output=True)
    return mounted.returncode == 0


def test_a_really_full_disk(tmp_path):
    disk = tmp_path / "petit"
    if not _small_disk(disk):
        pytest.skip("pas de tmpfs montable ici (il faut être root) ; l'injection d'ENOSPC ci-dessus couvre le cas")
    try:
        source = write_csv(tmp_path / "communes.csv", [HEADER, *communes(1000)])
        (disk / "r.csv").write_text("ancien\n", encoding="utf-8")
        done = subprocess.run([*CLI, str(source), "-o", str(disk / "r.csv"), "--jobs", "2"], capture_output=True, text=True)
        assert done.returncode == EXIT_WRITE_FAILED, done.stderr
        assert "plus de place sur le disque" in done.stderr and "Traceback" not in done.stderr
        assert sorted(p.name for p in disk.iterdir()) == ["r.csv"]
        assert (disk / "r.csv").read_text(encoding="utf-8") == "ancien\n"
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_full_standard_output(tmp_path):
    source = write_csv(tmp_path / "communes.csv", [HEADER, *communes(50)])
    with open("/dev/full", "w") as full:
        done = subprocess.run([*CLI, str(source), "--jobs", "1"], stdout=full, stderr=subprocess.PIPE, text=True)
    assert done.returncode == EXIT_WRITE_FAILED
    assert "écriture impossible sur la sortie standard : plus de place sur le disque" in done.stderr
    assert "incomplets" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "communes.erreurs.csv").exists()


def test_a_closed_pipe_ends_quietly(tmp_path):
    """``cms-law batch … | head -3``: the batch stops, says so once, and leaves its errors file whole."""
    source = write_csv(tmp_path / "communes.csv", [HEADER, *communes(999) * 3])
    command = f"{' '.join(map(str, CLI))} {source} --jobs 2 | head -3; exit ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120)

    assert done.returncode == EXIT_CLOSED_PIPE, done.stderr
    assert len(done.stdout.splitlines()) == 3
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert "la sortie standard a été fermée" in done.stderr
    *_, end = read_rows(tmp_path / "communes.erreurs.csv")
    assert end["champ"] == "lot" and "la sortie standard a été fermée" in end["message"]


# --------------------------------------------------------------------------- Ctrl-C


def test_a_second_ctrl_c_stops_at_once(tmp_path):
    """Two Ctrl-C 50 ms apart on ``--jobs 2``: the batch stops within seconds, every row written whole."""
    source = write_csv(tmp_path / "communes.csv", [HEADER, *communes(999) * 8])
    output = tmp_path / "resultats.csv"
    for _ in range(3):
        process = subprocess.Popen(
            [*CLI, str(source), "-o", str(output), "--jobs", "2"], stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        while process.poll() is None and sum(len(p.read_bytes()) for p in partial(output)) < 20_000:
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGINT)
        time.sleep(0.05)
        os.killpg(process.pid, signal.SIGINT)
        started = time.monotonic()
        try:
            _, report = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail("le lot ne s'est pas arrêté 30 s après le second Ctrl-C")
        print(f"arrêt {time.monotonic() - started:.2f} s après le second Ctrl-C")
        assert process.returncode == 130, report
        assert "Traceback" not in report
        lines = lines_of(output)
        assert lines == list(range(2, 2 + len(lines))) and 0 < len(lines) < 7992
        assert not partial(output)
