"""The command line, as a user runs it."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cms_law.cli import EXIT_INPUT, main
from conftest import EXAMPLES, commune


def run(*arguments: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(arguments), stdout=out)
    return code, out.getvalue()


def test_evaluate_the_example_commune_in_french() -> None:
    code, text = run("evaluate", str(EXAMPLES / "commune_exemple.yaml"))
    assert code == 0
    assert "Période triennale : 2023-2025" in text
    assert "Objectif triennal :" in text
    assert "loi n° 2022-217 du 21 février 2022" in text
    assert "L. 302-8, VII" in text


def test_evaluate_the_leaflet_commune_as_json() -> None:
    code, output = run("evaluate", str(EXAMPLES / "commune_depliant_dhup.yaml"), "--format", "json")
    data = json.loads(output)
    assert code == 0
    assert (data["logements_manquants"], data["objectif_triennal"]) == (500, 165)
    assert data["regime"] == "L. 302-8, VII, al. 1"
    assert data["periode"] == "2023-2025" and data["version_loi"] == "3DS"
    for key in ("soumise", "exemptee", "taux_cible", "taux_logements_sociaux", "ecart_points", "deficitaire",
                "taux_rattrapage", "typologie", "explication"):
        assert key in data
    assert all({"regle", "citations", "texte"} <= set(step) for step in data["explication"])


def test_json_input_period_and_convention_options(tmp_path: Path) -> None:
    path = tmp_path / "commune.json"
    path.write_text(json.dumps(commune(logements_sociaux=549)), encoding="utf-8")  # 451 missing
    _, output = run("evaluate", str(path), "--format", "json", "--period", "2026-2028",
                    "--convention", "arrondi_objectifs=inferieur")
    data = json.loads(output)
    assert data["periode"] == "2026-2028"
    assert data["objectif_triennal"] == 148  # 33 % of 451 = 148.83, rounded down as asked
    assert data["conventions"]["arrondi_objectifs"] == {"valeur": "inferieur", "par_defaut": False}


def test_bad_input_names_every_field_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "commune.yaml"
    path.write_text(yaml.safe_dump(commune(population=-3, plh=None, logements_sociaux="beaucoup")), encoding="utf-8")
    code, output = run("evaluate", str(path), "--format", "json")
    assert code == EXIT_INPUT
    fields = {problem["champ"] for problem in json.loads(output)["erreurs"]}
    assert fields == {"population", "plh", "logements_sociaux"}
    assert "population" in capsys.readouterr().err


def test_bad_period_and_unknown_convention_are_named(tmp_path: Path) -> None:
    path = tmp_path / "commune.yaml"
    path.write_text(yaml.safe_dump(commune()), encoding="utf-8")
    code, output = run("evaluate", str(path), "--period", "2024-2026", "--format", "json")
    assert code == EXIT_INPUT and json.loads(output)["erreurs"][0]["champ"] == "periode"
    code, output = run("evaluate", str(path), "--convention", "arrondi=haut", "--format", "json")
    assert code == EXIT_INPUT and json.loads(output)["erreurs"][0]["champ"] == "conventions.arrondi"


def test_rules_lists_every_rule_with_citations_and_provenance() -> None:
    code, output = run("rules", "--format", "json")
    data = json.loads(output)
    assert code == 0
    rule = next(r for r in data["regles"] if r["id"] == "L302-8.VII.1°")
    assert rule["citations"][0]["citation"] == "L. 302-8, VII, 1° (al. 3)"
    assert rule["citations"][0]["provenance"] == "authentique"
    assert rule["validite"] == {"debut": "2022-02-23", "fin": None}
    code, text = run("rules")
    assert "L302-8.VIII.entree-en-cours" in text and "texte non disponible" in text


def test_python_dash_m_is_the_same_command() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "cms_law", "evaluate", str(EXAMPLES / "commune_exemple.yaml"), "--format", "json"],
        capture_output=True, text=True, check=True,
    )
    assert json.loads(completed.stdout)["periode"] == "2023-2025"
