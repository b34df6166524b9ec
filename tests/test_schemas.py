"""The JSON Schemas: valid draft 2020-12, written from the rule book, and true of every example
file, every output of the example commands and every legal case's input and result."""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from cms_law import RuleBook, evaluate, load_rulebook
from cms_law.cases import load_cases, load_contract_cases
from cms_law.cli import main
from cms_law.contract import check_contract
from cms_law.errors import InputError
from cms_law.inputs import convert
from cms_law.loader import rules_root
from cms_law.schemas import INTEGER_TEXT, NAMES, RATE_TEXT, schema
from conftest import EXAMPLES


def plain(value: Any) -> Any:
    """A YAML document as JSON holds it (dates as text)."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def validator(name: str, book: RuleBook | None = None) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(name, book), format_checker=jsonschema.FormatChecker())


@functools.cache
def shipped_validator(name: str) -> jsonschema.Draft202012Validator:
    return validator(name)


def problems(name: str, data: Any) -> list[str]:
    errors = shipped_validator(name).iter_errors(data)
    return [f"{'/'.join(map(str, e.absolute_path))} : {e.message[:300]}" for e in errors]


def cli_json(*arguments: str) -> Any:
    out = io.StringIO()
    main(list(arguments), stdout=out)
    return json.loads(out.getvalue())


def read(path: Path) -> Any:
    return plain(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", NAMES)
def test_each_schema_is_valid_and_printed_by_the_command(name: str) -> None:
    printed = io.StringIO()
    assert main(["schema", name], stdout=printed) == 0
    data = json.loads(printed.getvalue())
    assert data == schema(name) and data["$schema"].endswith("2020-12/schema")
    jsonschema.Draft202012Validator.check_schema(data)


def test_an_unknown_schema_name_lists_the_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "resultats"], stdout=io.StringIO()) == 2
    error = capsys.readouterr().err
    assert "schéma inconnu « resultats »" in error and all(name in error for name in NAMES)


#: The input schema of each example file, and the command that reads it.
EXAMPLE_FILES = {
    "commune_exemple.yaml": ("commune", "evaluate", "resultat"),
    "commune_depliant_dhup.yaml": ("commune", "evaluate", "resultat"),
    "commune_isolee_croissance.yaml": ("commune", "evaluate", "resultat"),
    "commune_exemptee_de_droit.yaml": ("commune", "evaluate", "resultat"),
    "commune_ventilation_iv.yaml": ("commune", "evaluate", "resultat"),
    "commune_entree_en_cours_de_periode.yaml": ("commune", "evaluate", "resultat"),
    "commune_nouvelle_fusionnee.yaml": ("commune", "evaluate", "resultat"),
    "commune_historique.yaml": ("commune-historique", "history", "historique"),
    "epci_depliant_dhup.yaml": ("epci", "evaluate-epci", "resultat-epci"),
    "contrat_depliant_abaissant.yaml": ("contrat", "check-contract", "resultat-contrat"),
    "contrat_depliant_mutualisant.yaml": ("contrat", "check-contract", "resultat-contrat"),
    "contrat_grand_poitiers_mutualisant.yaml": ("contrat", "check-contract", "resultat-contrat"),
    "contrat_lyon_arrondissements.yaml": ("contrat", "check-contract", "resultat-contrat"),
    "contrat_epci_entier_mutualisant.yaml": ("contrat", "check-contract", "resultat-contrat"),
    "contrat_abaissant_deux_periodes.yaml": ("contrat", "check-contract", "resultat-contrat"),
}


def test_every_yaml_example_is_covered() -> None:
    # The example reform is checked with the reforms (tests/test_reforms.py).
    assert {path.name for path in EXAMPLES.glob("*.yaml")} == set(EXAMPLE_FILES) | {"reforme_rattrapage_40.yaml"}


@pytest.mark.parametrize("name", sorted(EXAMPLE_FILES))
def test_example_file_and_its_command_output(name: str) -> None:
    input_schema, command, output_schema = EXAMPLE_FILES[name]
    assert not problems(input_schema, read(EXAMPLES / name))
    assert not problems(output_schema, cli_json(command, str(EXAMPLES / name), "--format", "json"))


def test_the_outputs_of_the_other_commands() -> None:
    for before, after in (("2022-02-22", "2022-02-23"), ("2001-01-01", "2024-01-01"), ("2023-01-01", "2023-06-01")):
        assert not problems("diff", cli_json("diff", before, after, "--format", "json"))
    assert not problems("regles", cli_json("rules", "--format", "json"))
    # An input refused: the list of problems (the history file is not a commune of one period).
    assert not problems("erreurs", cli_json("evaluate", str(EXAMPLES / "commune_historique.yaml"), "--format", "json"))
    history = cli_json("history", str(EXAMPLES / "commune_historique.yaml"), "--from", "2002-2004", "--to", "2029-2031",
                       "--format", "json")
    assert not problems("historique", history)


@pytest.mark.parametrize("name", ["communes_inventaire.csv", "communes_avec_erreurs.csv"])
@pytest.mark.parametrize("explain", [False, True])
def test_batch_rows_and_error_rows(name: str, explain: bool, tmp_path: Path) -> None:
    results, errors = tmp_path / "r.jsonl", tmp_path / "e.jsonl"
    main(["batch", str(EXAMPLES / name), "-o", str(results), "--errors", str(errors), "--format", "json", "--jobs", "1",
          *(["--explain"] if explain else [])], stdout=io.StringIO())
    rows = [json.loads(line) for line in results.read_text("utf-8").splitlines()]
    rejected = [json.loads(line) for line in errors.read_text("utf-8").splitlines()]
    assert rows and all(not problems("lot-resultat", row) for row in rows)
    assert all(not problems("lot-erreur", row) for row in rejected)
    assert bool(rejected) == (name == "communes_avec_erreurs.csv")


CASES = load_cases(Path(__file__).parent / "cas")


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_legal_case_input_and_result(case: Any) -> None:
    if case.erreur is not None:
        with pytest.raises(InputError) as raised:
            evaluate(case.entree, case.periode, case.conventions)
        from cms_law.explain import input_error_as_dict

        assert not problems("erreurs", input_error_as_dict(raised.value))
        return
    assert not problems("commune", plain(case.entree)), case.id
    assert not problems("resultat", evaluate(case.entree, case.periode, case.conventions).as_dict()), case.id


CONTRACT_CASES = load_contract_cases(Path(__file__).parent / "cas_contrats")


@pytest.mark.parametrize("case", CONTRACT_CASES, ids=[case.id for case in CONTRACT_CASES])
def test_contract_case_input_and_result(case: Any) -> None:
    assert not problems("contrat", plain(case.contrat)), case.id
    assert not problems("resultat-contrat", check_contract(case.contrat, case.periode, case.conventions).as_dict())


def test_every_rule_file_follows_the_rule_file_format() -> None:
    root = Path(str(rules_root()))
    articles = sorted(root.glob("cch/*/*.yaml"))
    assert articles
    for path in articles:
        assert not problems("fichier-article", read(path)), path.name
    assert not problems("fichier-lois", read(root / "lois.yaml"))
    assert not problems("fichier-vocabulaire", read(root / "vocabulaire.yaml"))


def test_the_schemas_refuse_what_the_readers_refuse() -> None:
    commune = read(EXAMPLES / "commune_exemple.yaml")
    assert problems("commune", {**commune, "exemptée": True})  # a misspelt field
    assert problems("commune", {**commune, "population": "beaucoup"})
    assert problems("commune", {**commune, "code_insee": "ABCDE"})  # the field's « motif »
    assert problems("commune", {key: value for key, value in commune.items() if key != "plh"})
    result = cli_json("evaluate", str(EXAMPLES / "commune_exemple.yaml"), "--format", "json")
    assert problems("resultat", {key: value for key, value in result.items() if key != "objectif_triennal"})
    assert problems("resultat", {**result, "taux_cible": 0.25})  # rates are exact decimal strings
    assert problems("resultat", {**result, "version_loi": "inconnue"})
    article = read(Path(str(rules_root())) / "cch/L302-8/2022-02-23.yaml")
    article["regles"][0]["sinon"] = "faux"
    assert problems("fichier-article", article)


def test_the_schemas_are_written_from_the_vocabulary(rules_copy: Callable[..., RuleBook]) -> None:
    book = load_rulebook()
    commune = schema("commune")
    assert list(commune["properties"]) == [field.cle for field in book.entrees]
    assert commune["required"] == [field.cle for field in book.entrees if field.requis]
    population = next(field for field in book.entrees if field.cle == "population")
    assert commune["properties"]["population"]["title"] == population.libelle

    def add_field(data: dict[str, Any]) -> None:
        data["entrees"]["nombre_de_quartiers"] = {
            "type": "entier", "requis": False, "min": 1, "max": 999, "libelle": "nombre de quartiers",
            "description": "Champ ajouté par le test.",
        }

    edited = rules_copy("vocabulaire.yaml", add_field)
    added = schema("commune", edited)["properties"]["nombre_de_quartiers"]
    assert added["title"] == "nombre de quartiers"
    assert {"type": "integer", "minimum": 1, "maximum": 999} in added["anyOf"]
    assert "nombre_de_quartiers" in schema("resultat", edited)["properties"]["commune"]["properties"]


def _accepted(kind: str, text: str) -> bool:
    field = next(field for field in load_rulebook().entrees if field.type == kind)
    try:
        convert(field, text)
    except ValueError as error:
        return "attendu" not in str(error)  # refused for its bounds, not its form
    return True


@given(st.text(alphabet="0123456789 ,.%-\u00a0\u202fa", max_size=12))
def test_the_text_forms_of_numbers_are_those_the_reader_accepts(text: str) -> None:
    import re

    assert bool(re.search(INTEGER_TEXT, text)) == _accepted("entier", text)
    assert bool(re.search(RATE_TEXT, text)) == _accepted("taux", text)
