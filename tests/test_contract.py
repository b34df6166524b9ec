"""Checking a proposed contrat de mixité sociale (L. 302-8, IX and X; L. 302-8-1, I)."""

from __future__ import annotations

import copy
import csv
import io
import json
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cms_law.cli import main
from cms_law.contract import check_contract
from conftest import EXAMPLES


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))


ABAISSANT = load("contrat_depliant_abaissant.yaml")
MUTUALISANT = load("contrat_depliant_mutualisant.yaml")
POITIERS = load("contrat_grand_poitiers_mutualisant.yaml")


def with_objectives(contract: dict[str, Any], *objectives: int) -> dict[str, Any]:
    changed = copy.deepcopy(contract)
    for commune, objective in zip(changed["communes"], objectives):
        commune["objectif_retenu"] = objective
    return changed


def violated(contract: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {(f.verification.id, f.commune) for f in check_contract(contract).violations}


def test_the_leaflet_contracts_are_lawful_and_give_the_model_table() -> None:
    """Guide, annexe 3, article 2: the table before and after the contract, with its total."""
    result = check_contract(MUTUALISANT)
    assert result.valide and not result.violations and not result.indeterminees
    rows = result.as_dict()["tableau"]
    assert rows[-1] == {"commune": "Total", "logements_manquants": 800, "taux_avant": "0.33",
                        "objectif_avant": 264, "taux_retenu": "0.33", "objectif_retenu": 264,
                        "plai_minimum_retenu": 80, "pls_maximum_retenu": 78}
    assert rows[0]["objectif_retenu"] == 85 and rows[0]["taux_retenu"] == "0.17"
    assert check_contract(ABAISSANT).valide


def test_lowering_below_the_ix_1_floor_is_a_violation() -> None:
    """L. 302-8, IX, 1°: not under 25 % of the missing dwellings (125 of 500)."""
    (finding,) = check_contract(with_objectives(ABAISSANT, 124)).violations
    assert finding.verification.id == "L302-8.IX.1°.plancher"
    assert [c.court for c in finding.citations] == ["L. 302-8, IX, 1° (al. 2)"]
    assert finding.commune == "Commune du dépliant" and "125" in finding.texte


def test_a_contract_without_derogation_cannot_lower_the_objective() -> None:
    """L. 302-8, VII, al. 1: a « sans aménagement » contract keeps the legal objective."""
    contract = dict(with_objectives(ABAISSANT, 150), type="sans_amenagement")
    assert violated(contract) == {("L302-8.VII.objectif-maintenu", "Commune du dépliant")}


def test_a_newly_subject_commune_cannot_be_lowered() -> None:
    """L. 302-8, VIII, al. 1 with IX, al. 1 (guide, section 2)."""
    contract = with_objectives(ABAISSANT, 70)
    contract["communes"][0]["date_entree_dispositif"] = "2023-01-01"  # objective 75 (15 %)
    assert ("L302-8.VIII.sans-amenagement", "Commune du dépliant") in violated(contract)


def test_every_violation_is_reported_not_only_the_first() -> None:
    """X, al. 1 to 5, and L. 302-8-1, I, al. 1, broken at once."""
    contract = with_objectives(MUTUALISANT, 80, 150)  # A under 83; B above 99 without… ; total 230 < 264
    contract.update(duree_annees=6, signature_etat=False, avis_commission_nationale=False,
                    autre_contrat_epci="abaissant")
    del contract["communes"][1]["accord_objectifs_supplementaires"]
    contract["communes"][1]["accord_objectifs_supplementaires"] = False
    found = violated(contract)
    assert found >= {
        ("L302-8.X.al2.plancher", "Commune A"),
        ("L302-8.X.al4.accord", "Commune B"),
        ("L302-8.X.al3.total", None),
        ("L302-8.X.al1.avis-commission", None),
        ("L302-8.X.non-cumul", None),
        ("L302-8-1.I.al1.duree", None),
        ("L302-8-1.I.al1.signature-etat", None),
    }
    # Without an executory PLH, the communes' objectives cannot be mutualised at all (X, al. 5).
    no_plh = violated(dict(contract, plh_executoire=False))
    assert {("L302-8.X.al5.plh", None), ("L302-8.X.mutualisation-possible", "Commune A")} <= no_plh


def test_unknown_data_makes_a_verification_undecided_not_violated() -> None:
    """L. 302-8, X, al. 1: the levy is not known, so the verdict cannot be « valide »."""
    contract = copy.deepcopy(MUTUALISANT)
    del contract["communes"][0]["soumise_prelevement"]
    result = check_contract(contract)
    assert not result.valide
    assert not any(f.verification.id == "L302-8.X.al2.plancher" for f in result.violations)
    assert result.indeterminees


def test_grand_paris_contract_needs_the_ept() -> None:
    """L. 302-8-1, I, al. 1: in the Grand Paris metropolis the EPT signs."""
    contract = copy.deepcopy(ABAISSANT)
    contract["communes"][0].update(metropole_grand_paris=True, ept="Paris Est Marne et Bois")
    contract["ept"] = "Paris Est Marne et Bois"
    assert violated(contract) == {("L302-8-1.I.al1.signature-ept", None)}
    assert check_contract(dict(contract, signature_ept=True)).valide


def test_command_line_formats(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    assert main(["check-contract", str(EXAMPLES / "contrat_grand_poitiers_mutualisant.yaml"), "--format", "csv"],
                stdout=out) == 0
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 11 and rows[-1]["commune"] == "Total" and rows[-1]["objectif_retenu"] == "542"
    path = tmp_path / "contrat.yaml"
    path.write_text(yaml.safe_dump(with_objectives(ABAISSANT, 100), allow_unicode=True), encoding="utf-8")
    out = io.StringIO()
    assert main(["check-contract", str(path), "--format", "json"], stdout=out) == 5
    data = json.loads(out.getvalue())
    assert data["valide"] is False
    assert data["violations"][0]["citations"] == ["L. 302-8, IX, 1° (al. 2)"]
    assert set(data["violations"][0]) == {"regle", "citations", "commune", "texte"}


# ------------------------------------------------------------------ properties


def legal(contract: dict[str, Any]) -> list[int]:
    return [commune.valeurs["objectif_triennal"] for commune in check_contract(contract).communes]


POITIERS_LEGAL = legal(POITIERS)


@settings(max_examples=25, deadline=None)
@given(extra=st.lists(st.integers(0, 40), min_size=10, max_size=10), kind=st.sampled_from(["abaissant", "mutualisant"]))
def test_objectives_at_or_above_the_legal_ones_are_never_refused_on_a_floor(extra: list[int], kind: str) -> None:
    contract = dict(with_objectives(POITIERS, *(o + e for o, e in zip(POITIERS_LEGAL, extra))), type=kind)
    for commune in contract["communes"]:
        commune["accord_objectifs_supplementaires"] = True
    assert not [f for f in check_contract(contract).violations if "plancher" in f.verification.id]


@settings(max_examples=25, deadline=None)
@given(index=st.integers(0, 9), kind=st.sampled_from(["abaissant", "mutualisant"]), below=st.integers(1, 5))
def test_lowering_a_commune_below_its_floor_always_cites_ix_or_x(index: int, kind: str, below: int) -> None:
    contract = dict(copy.deepcopy(POITIERS), type=kind)
    derogation = next(d for d in check_contract(contract).communes[index].derogations
                      if d.derogation.type == ("abaissement" if kind == "abaissant" else "mutualisation"))
    contract["communes"][index]["objectif_retenu"] = max(0, derogation.plancher - below)
    findings = [f for f in check_contract(contract).violations if f.commune == contract["communes"][index]["nom"]]
    assert findings
    assert any(
        c.version.article == "L. 302-8" and c.alinea.section in ("IX", "X") for f in findings for c in f.citations
    )


@settings(max_examples=25, deadline=None)
@given(source=st.integers(0, 9), target=st.integers(0, 9), moved=st.integers(0, 30))
def test_moving_dwellings_between_communes_keeps_the_verdict_on_the_epci_total(source: int, target: int, moved: int) -> None:
    contract = copy.deepcopy(POITIERS)
    communes = contract["communes"]
    moved = min(moved, communes[source]["objectif_retenu"])
    communes[source]["objectif_retenu"] -= moved
    communes[target]["objectif_retenu"] += moved

    def total_violated(c: dict[str, Any]) -> bool:
        return ("L302-8.X.al3.total", None) in violated(c)

    assert total_violated(contract) == total_violated(POITIERS)
    shortened = with_objectives(contract, *(c["objectif_retenu"] for c in communes))
    shortened["communes"][target]["objectif_retenu"] -= 2  # 542 → 540 < 541: now below the total
    assert total_violated(shortened)


def test_the_heading_writes_the_contract_type_in_french() -> None:
    """« sans_amenagement » is the value a file gives (L. 302-8-1, contrat sans aménagement); the
    text writes its label from rules/vocabulaire.yaml (contrat.type.valeurs)."""
    data = copy.deepcopy(ABAISSANT)
    data["type"] = "sans_amenagement"
    text = check_contract(data).texte()
    assert text.startswith("Contrat de mixité sociale « sans aménagement » : ")
