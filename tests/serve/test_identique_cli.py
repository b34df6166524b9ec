"""The service answers exactly what the command line prints, byte for byte, on every example file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import EXAMPLES, Client, cli

#: Each example file: the endpoint it goes to and the command that reads it.
ENDPOINTS = {
    "commune_exemple.yaml": ("/evaluer", "evaluate"),
    "commune_depliant_dhup.yaml": ("/evaluer", "evaluate"),
    "commune_isolee_croissance.yaml": ("/evaluer", "evaluate"),
    "commune_exemptee_de_droit.yaml": ("/evaluer", "evaluate"),
    "commune_ventilation_iv.yaml": ("/evaluer", "evaluate"),
    "commune_entree_en_cours_de_periode.yaml": ("/evaluer", "evaluate"),
    "commune_nouvelle_fusionnee.yaml": ("/evaluer", "evaluate"),
    # Not a commune of one period (it has « periodes »): both refuse it, with the same problems.
    "commune_historique.yaml": ("/evaluer", "evaluate"),
    "epci_depliant_dhup.yaml": ("/evaluer-epci", "evaluate-epci"),
    "contrat_depliant_abaissant.yaml": ("/verifier-contrat", "check-contract"),
    "contrat_depliant_mutualisant.yaml": ("/verifier-contrat", "check-contract"),
    "contrat_grand_poitiers_mutualisant.yaml": ("/verifier-contrat", "check-contract"),
    "contrat_lyon_arrondissements.yaml": ("/verifier-contrat", "check-contract"),
    "contrat_epci_entier_mutualisant.yaml": ("/verifier-contrat", "check-contract"),
    "contrat_abaissant_deux_periodes.yaml": ("/verifier-contrat", "check-contract"),
}
CSV_FILES = ("communes_inventaire.csv", "communes_avec_erreurs.csv")


#: Never sent by a client: the server is started with it (tests/serve/test_reforme.py).
REFORM_FILES = ("reforme_rattrapage_40.yaml",)


def test_every_example_file_is_compared() -> None:
    files = {path.name for path in EXAMPLES.iterdir() if path.suffix in (".yaml", ".csv")}
    assert files == set(ENDPOINTS) | set(CSV_FILES) | set(REFORM_FILES)


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_same_bytes_as_the_command_line(server: Client, name: str) -> None:
    path, command = ENDPOINTS[name]
    code, printed = cli(command, str(EXAMPLES / name), "--format", "json")
    answer = server.post_file(path, EXAMPLES / name)
    # A problem names its line in the file given to the command, in the body sent to the service.
    assert answer.body == printed.replace(f"({EXAMPLES / name}, ligne".encode(), b"(corps, ligne")
    assert answer.status == (422 if code == 1 else 200)
    assert answer.headers["content-type"] == "application/json"


def test_the_same_file_in_json_gives_the_same_bytes(server: Client, tmp_path: Path) -> None:
    import yaml

    as_json = tmp_path / "commune.json"
    as_json.write_text(json.dumps(yaml.safe_load((EXAMPLES / "commune_depliant_dhup.yaml").read_text("utf-8"))))
    _, printed = cli("evaluate", str(as_json), "--format", "json")
    assert server.post_file("/evaluer", as_json).body == printed


def test_history_same_bytes(server: Client) -> None:
    path = str(EXAMPLES / "commune_historique.yaml")
    _, printed = cli("history", path, "--format", "json")
    assert server.post_file("/historique", EXAMPLES / "commune_historique.yaml").body == printed
    _, printed = cli("history", path, "--from", "2014-2016", "--to", "2020-2022", "--format", "json")
    answer = server.post_file("/historique", EXAMPLES / "commune_historique.yaml", [("du", "2014-2016"), ("au", "2020-2022")])
    assert answer.body == printed
    assert [p["periode"] for p in answer.json()["periodes"]] == ["2014-2016", "2017-2019", "2020-2022"]


@pytest.mark.parametrize("name", CSV_FILES)
def test_batch_lines_are_those_of_the_command_line_files(server: Client, name: str, tmp_path: Path) -> None:
    """In JSON lines, every row evaluated is the results file's line, every row rejected the
    errors file's line, in input order: nothing lost, nothing different."""
    results, rejected = tmp_path / "resultats.jsonl", tmp_path / "erreurs.jsonl"
    cli("batch", str(EXAMPLES / name), "-o", str(results), "--errors", str(rejected), "--format", "json", "--jobs", "1")
    answer = server.post_file("/lot", EXAMPLES / name, [("format", "json")])
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    lines = answer.text.splitlines(keepends=True)
    assert [line for line in lines if '"erreurs": [' not in line] == results.read_text("utf-8").splitlines(keepends=True)
    assert [line for line in lines if '"erreurs": [' in line] == rejected.read_text("utf-8").splitlines(keepends=True)
    numbers = [json.loads(line)["ligne"] for line in lines]
    assert numbers == sorted(numbers)
