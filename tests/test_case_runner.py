"""``cms-law test``: a user's own case files run, passing, failing or malformed, in text, JSON and JUnit."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
import yaml

from cms_law.cases import CaseFileError, read_case_file
from cms_law.cli import main
from cms_law.schemas import schema

TESTS = Path(__file__).parent
COMMUNE = (
    "{nom: Essai, population: 12000, unite_urbaine_paris: false, agglomeration_ou_epci_eligible: true,"
    ' taux_cible: "25 %", residences_principales: 5000, logements_sociaux: 800, plh: true}'
)


def run(*arguments: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["test", *arguments], stdout=out)
    return code, out.getvalue()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def case(case_id: str, attendu: str, extra: str = "") -> str:
    return f"""
      - id: {case_id}
        verifie: "L. 302-8, VII, al. 1"
        description: écart de 9 points au taux cible, 33 % de 450 logements manquants
        entree: {COMMUNE}
        attendu: {attendu}{extra}
    """


def test_a_passing_file_passes_with_its_figures_and_citations(tmp_path: Path) -> None:
    path = write(tmp_path, "cas.yaml", "cas:" + case("trente-trois", '{objectif_triennal: 149, taux_rattrapage: "0.33"}'))
    code, text = run(str(path))
    assert code == 0
    assert "RÉUSSI trente-trois (vérifie L. 302-8, VII, al. 1)" in text
    assert "objectif_triennal : attendu 149, obtenu 149" in text
    assert "L. 302-8, VII, al. 1" in text.split("taux_rattrapage")[1]
    assert "Bilan : 1 cas, 1 réussi(s), 0 en échec" in text


def test_a_failing_case_shows_expected_and_obtained_and_exits_1(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "cas:" + case("juste", "{objectif_triennal: 149}"))
    write(tmp_path, "b.yaml", "cas:" + case("faux", "{objectif_triennal: 150, typologie: {plai_minimum: 44}}"))
    code, text = run(str(tmp_path))
    assert code == 1
    assert "ÉCHEC  faux" in text and "RÉUSSI juste" in text
    assert "[ÉCART] objectif_triennal : attendu 150, obtenu 149" in text
    assert "typologie.plai_minimum : attendu 44, obtenu 45" in text


def test_json_report_follows_its_schema(tmp_path: Path) -> None:
    write(tmp_path, "b.yaml", "cas:" + case("faux", "{objectif_triennal: 150}"))
    write(tmp_path, "c.yaml", "cas: []\n")
    code, output = run(str(tmp_path), "--format", "json")
    data = json.loads(output)
    jsonschema.validate(data, schema("resultat-test"))
    assert code == 1 and data["reussi"] is False
    assert data["bilan"] == {"cas": 1, "reussis": 0, "echecs": 1, "fichiers": 2, "fichiers_invalides": 1}
    (figure,) = data["fichiers"][0]["cas"][0]["chiffres"]
    assert (figure["attendu"], figure["obtenu"], figure["reussi"]) == (150, 149, False)
    assert "L. 302-8, VII, al. 1" in figure["citations"]
    assert data["fichiers"][1]["erreur"]["champ"] == "cas"


def test_junit_report_for_ci(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "cas:" + case("juste", "{objectif_triennal: 149}") + case("faux", "{objectif_triennal: 1}"))
    write(tmp_path, "z.yaml", "cas: [{id: sans-rien}]\n")
    code, output = run(str(tmp_path), "--format", "junit")
    root = ElementTree.fromstring(output)
    assert code == 1
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "1")
    failures = root.findall(".//testcase/failure")
    assert len(failures) == 1 and "attendu 1, obtenu 149" in failures[0].get("message", "")
    (error,) = root.findall(".//testcase/error")
    assert "cas « sans-rien »" in error.get("message", "")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("cas:\n  - id: [\n", "YAML invalide"),
        ("autre: 1\n", "« cas » liste les cas"),
        ("cas:" + case("x", "{objectif_triennal: 1}", "\n        attendus: {}"), "cas « x », champ « attendus » : champ inconnu"),
        ("cas:" + case("x", "{objectif_triennal: 1}", "\n        erreur: {champ: population}"), "cas « x », champ « attendu »"),
        ("cas:" + case("x", "{}"), "cas « x », champ « attendu »"),
        ("cas:" + case("x", "{objectif_triennal: 1}") + case("x", "{objectif_triennal: 1}"), "cas « x », champ « id » : identifiant en double"),
        ("cas:\n  - {id: y, verifie: 3, description: d, entree: {}, attendu: {a: 1}}\n", "cas « y », champ « verifie »"),
        ("cas:\n  - {id: y, verifie: v, description: d, entree: {}, attendu: {a: 1}, periode: 2023}\n", "champ « periode »"),
        ("cas:\n  - {id: y, verifie: v, description: d, contrat: {}, valide: oui}\n", "cas « y », champ « valide »"),
        ("cas:\n  - {verifie: v}\n", "le cas n° 1 n'a pas d'identifiant"),
    ],
)
def test_a_malformed_file_names_file_case_and_field(tmp_path: Path, text: str, where: str) -> None:
    path = write(tmp_path, "mauvais.yaml", text)
    with pytest.raises(CaseFileError) as raised:
        read_case_file(path)
    assert str(raised.value).startswith("mauvais.yaml")
    assert where in str(raised.value)
    code, output = run(str(path))
    assert code == 1 and "FICHIER INVALIDE : mauvais.yaml" in output


def test_aliases_that_expand_beyond_reason_are_refused(tmp_path: Path) -> None:
    lines = ["definitions:", "  - &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"  - &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    path = write(tmp_path, "bombe.yaml", "\n".join(lines) + "\ncas:" + case("x", "{objectif_triennal: *a7}"))
    with pytest.raises(CaseFileError, match="bombe.yaml, ligne .* une fois les alias développés"):
        read_case_file(path)


def test_a_missing_path_is_reported() -> None:
    code, output = run("/nulle/part/cas.yaml")
    assert code == 1 and "introuvable" in output


def test_the_projects_own_cases_all_pass_through_the_command() -> None:
    code, output = run(str(TESTS / "cas"), str(TESTS / "cas_contrats"), "--format", "json")
    data = json.loads(output)
    assert code == 0, [c["ecarts"] for f in data["fichiers"] for c in f["cas"] if not c["reussi"]]
    assert data["bilan"]["cas"] >= 150 and data["bilan"]["fichiers_invalides"] == 0


@pytest.mark.parametrize("path", sorted([*(TESTS / "cas").glob("*.yaml"), *(TESTS / "cas_contrats").glob("*.yaml")]),
                         ids=lambda p: p.name)
def test_the_projects_case_files_follow_the_case_schema(path: Path) -> None:
    data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
    jsonschema.validate(data, schema("cas"))


def test_from_a_folder_outside_the_repository(tmp_path: Path) -> None:
    """What a legal expert does: a folder of their own, the installed command, no repository around."""
    write(tmp_path, "mes_cas.yaml", "cas:" + case("trente-trois", "{objectif_triennal: 149}"))
    command = Path(sys.executable).with_name("cms-law")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run([str(command), "test", "mes_cas.yaml"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "RÉUSSI trente-trois" in done.stdout
