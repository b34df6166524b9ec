"""A server started under a reform (``cms-law serve --reforme FICHIER``): every answer computed
under it, stamped, byte for byte what the command line prints with the same reform; a request can
never name a reform or a rules folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import EXAMPLES, Client, cli, start_server, stop_server

REFORM = EXAMPLES / "reforme_rattrapage_40.yaml"


@pytest.fixture(scope="module")
def reformed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    process, client = start_server(tmp_path_factory.mktemp("reforme") / "serveur.log", "--reforme", str(REFORM))
    try:
        yield client
    finally:
        stop_server(process)


def test_the_health_names_the_reform(reformed: Client) -> None:
    stamp = reformed.get("/sante").json()["reforme"]
    assert stamp["titre"] == "Taux de rattrapage de droit commun porté à 40 %" and len(stamp["empreinte"]) == 64


@pytest.mark.parametrize(("name", "path", "command"), [
    ("commune_exemple.yaml", "/evaluer", "evaluate"),
    ("epci_depliant_dhup.yaml", "/evaluer-epci", "evaluate-epci"),
    ("contrat_depliant_abaissant.yaml", "/verifier-contrat", "check-contract"),
])
def test_same_bytes_as_the_command_line_under_the_same_reform(reformed: Client, name: str, path: str, command: str) -> None:
    code, printed = cli(command, str(EXAMPLES / name), "--format", "json", "--reforme", str(REFORM))
    answer = reformed.post_file(path, EXAMPLES / name)
    assert answer.status == 200 and code in (0, 5)
    assert answer.body == printed
    assert answer.json()["reforme"]["titre"] == "Taux de rattrapage de droit commun porté à 40 %"


def test_a_request_cannot_name_a_reform(reformed: Client) -> None:
    answer = reformed.post_file("/evaluer", EXAMPLES / "commune_exemple.yaml", query=[("reforme", str(REFORM))])
    assert answer.status == 422 and answer.json()["erreurs"][0]["champ"] == "reforme"
