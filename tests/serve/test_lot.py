"""POST /lot: a CSV inventory in, one output line per input row, in order, streamed."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .conftest import EXAMPLES, MAX_ROWS, Client, cli

ERRORS_FILE = EXAMPLES / "communes_avec_erreurs.csv"


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_results_are_the_command_line_rows_plus_their_errors(server: Client, tmp_path: Path) -> None:
    results, rejected = tmp_path / "resultats.csv", tmp_path / "erreurs.csv"
    cli("batch", str(ERRORS_FILE), "-o", str(results), "--errors", str(rejected), "--jobs", "1")
    answer = server.post_file("/lot", ERRORS_FILE)
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.headers.get("transfer-encoding") == "chunked"  # streamed as computed
    comment, header, *rows = _rows(answer.text)
    expected_comment, expected_header, *expected = _rows(results.read_text("utf-8"))
    assert comment == expected_comment and comment[0].startswith("# Produit par cms-law")
    assert header == [*expected_header, "erreurs"]
    evaluated = [row for row in rows if not row[-1]]
    assert [row[:-1] for row in evaluated] == expected
    refused = {row[0]: row for row in rows if row[-1]}
    problems = _rows(rejected.read_text("utf-8"))[1:]
    assert set(refused) == {line for line, *_ in problems}
    for line, name, code, field, message, value in problems:
        assert refused[line][1:3] == [name, code]
        assert f"{field} : {message}" in refused[line][-1] and value in refused[line][-1]
    # Nothing lost: one output row per data row of the input.
    assert len(rows) == 14


def test_period_conventions_and_explanation_options(server: Client) -> None:
    answer = server.post_file(
        "/lot", EXAMPLES / "communes_inventaire.csv",
        [("format", "json"), ("periode", "2026-2028"), ("convention", "arrondi_objectifs=inferieur"),
         ("explication", "oui")])
    data = [json.loads(line) for line in answer.text.splitlines()]
    assert len(data) == 60
    evaluated = [row for row in data if "erreurs" not in row]
    assert evaluated and {row["periode"] for row in evaluated} == {"2026-2028"}
    assert all(row["conventions"]["arrondi_objectifs"]["valeur"] == "inferieur" for row in evaluated)
    assert all(row["explication"] for row in evaluated)
    # The rows whose inventory is that of 2022 are refused for 2026-2028, not evaluated (L. 302-8, VII).
    for row in data:
        if "erreurs" in row:
            assert [e["champ"] for e in row["erreurs"]] == ["annee_inventaire"]


def test_a_file_or_an_option_that_cannot_be_read_is_refused_before_any_row(server: Client) -> None:
    answer = server.request("POST", "/lot", "nom;populasion\nA;12\n", "text/csv")
    assert answer.status == 422
    assert {p["champ"] for p in answer.json()["erreurs"]} >= {"populasion", "residences_principales"}
    answer = server.post_file("/lot", ERRORS_FILE, [("format", "xml"), ("periode", "2024")])
    assert answer.status == 422 and {p["champ"] for p in answer.json()["erreurs"]} == {"format", "periode"}
    answer = server.request("POST", "/lot", b"nom,population\n\x81\x8d", "text/csv")
    assert answer.status == 422 and "UTF-8" in answer.json()["erreurs"][0]["message"]


def test_too_many_rows(server: Client) -> None:
    lines = ERRORS_FILE.read_text("utf-8").splitlines()
    header = next(line for line in lines if not line.startswith("#"))
    row = lines[-1]
    body = "\n".join([header, *[row] * (MAX_ROWS + 1)]) + "\n"
    answer = server.request("POST", "/lot", body, "text/csv")
    assert answer.status == 413
    message = answer.json()["erreurs"][0]["message"]
    assert str(MAX_ROWS + 1) in message and str(MAX_ROWS) in message and "--max-rows" in message


def test_a_batch_must_be_sent_as_csv(server: Client) -> None:
    answer = server.post_json("/lot", {"nom": "x"})
    assert answer.status == 415 and "text/csv" in answer.json()["erreurs"][0]["message"]
