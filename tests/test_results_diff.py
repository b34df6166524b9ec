"""``cms-law diff-resultats``: which figures of two results differ, and the first step where their
reasoning parts, with its citation."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema

from cms_law.cli import main
from cms_law.results_diff import diff_results
from cms_law.schemas import schema
from conftest import EXAMPLES

REFORM = EXAMPLES / "reforme_rattrapage_40.yaml"


def write(path: Path, *arguments: str) -> Path:
    out = io.StringIO()
    main([*arguments, "--format", "json"], stdout=out)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_the_law_and_the_40_percent_reform_part_at_vii_al1(tmp_path: Path) -> None:
    """Same rule (L. 302-8, VII, al. 1) on both sides, reading 33 % and 40 %: objective 111 and 135."""
    commune = str(EXAMPLES / "commune_exemple.yaml")
    a = write(tmp_path / "a.json", "evaluate", commune)
    b = write(tmp_path / "b.json", "evaluate", commune, "--reforme", str(REFORM))
    result = diff_results(a, b)
    figures = {path: (x, y) for path, x, y in result.chiffres}
    assert figures["objectif_triennal"] == (111, 135) and figures["taux_rattrapage"] == ("0.33", "0.4")
    assert "logements_manquants" not in figures
    (parting,) = result.separations
    assert parting.avant["regle"] == parting.apres["regle"] == "L302-8.VII.al1"
    assert parting.avant["citations"] == ["L. 302-8, VII, al. 1"]
    assert parting.differences["entrees.taux_rattrapage_general"] == ("0.33", "0.4")
    out = io.StringIO()
    main(["diff-resultats", str(a), str(b), "--format", "json"], stdout=out)
    data = json.loads(out.getvalue())
    jsonschema.validate(data, schema("diff-resultats"))
    assert data["reforme_avant"] is None and data["reforme_apres"]["titre"].endswith("40 %")
    out = io.StringIO()
    main(["diff-resultats", str(a), str(b)], stdout=out)
    assert "Le raisonnement se sépare à l'étape" in out.getvalue()
    assert "objectif_triennal : 111 → 135" in out.getvalue()


def test_another_rule_applies_when_vii_1_is_neutralised(tmp_path: Path) -> None:
    reform = tmp_path / "r.yaml"
    reform.write_text("titre: t\njustification: j\nregles_neutralisees: [{id: L302-8.VII.1°, justification: j}]\n")
    commune = tmp_path / "c.yaml"
    commune.write_text((EXAMPLES / "commune_exemple.yaml").read_text(encoding="utf-8").replace("logements_sociaux: 1714", "logements_sociaux: 1800"))
    a = write(tmp_path / "a.json", "evaluate", str(commune))
    b = write(tmp_path / "b.json", "evaluate", str(commune), "--reforme", str(reform))
    (parting,) = diff_results(a, b).separations
    assert {parting.avant["regle"], parting.apres["regle"]} == {"L302-8.VII.1°", "L302-8.VII.al1"}


def test_identical_results_and_nested_reasonings(tmp_path: Path) -> None:
    epci = str(EXAMPLES / "epci_depliant_dhup.yaml")
    a = write(tmp_path / "a.json", "evaluate-epci", epci)
    assert diff_results(a, a).identiques
    b = write(tmp_path / "b.json", "evaluate-epci", epci, "--reforme", str(REFORM))
    result = diff_results(a, b)
    assert result.separations and all(p.chemin.startswith("communes[") for p in result.separations)


def test_not_a_result_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"erreurs": []}')
    out = io.StringIO()
    assert main(["diff-resultats", str(tmp_path / "x.json"), str(tmp_path / "x.json")], stdout=out) == 1
