"""Whole-EPCI contract files, newly subject communes, contracts over several periods, bad input
(L. 302-8, VIII to X; L. 302-8-1, I): properties over many contracts, and the errors a user sees."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cms_law.contract import check_contract
from cms_law.errors import InputError
from cms_law.evaluator import evaluate
from conftest import EXAMPLES

MUTUALISANT = yaml.safe_load((EXAMPLES / "contrat_depliant_mutualisant.yaml").read_text(encoding="utf-8"))
ABAISSANT = yaml.safe_load((EXAMPLES / "contrat_depliant_abaissant.yaml").read_text(encoding="utf-8"))
POITIERS = yaml.safe_load((EXAMPLES / "contrat_grand_poitiers_mutualisant.yaml").read_text(encoding="utf-8"))
BASE = {"unite_urbaine_paris": False, "agglomeration_ou_epci_eligible": True, "taux_cible": "25 %", "plh": True}

#: Communes that owe no VII objective: not deficient (rate reached), not subject (population), exempt.
owing_nothing = st.one_of(
    st.builds(lambda rp, extra: {**BASE, "population": 8000, "residences_principales": rp,
                                 "logements_sociaux": min(rp, -(-rp // 4) + extra)},
              st.integers(100, 20000), st.integers(0, 500)),
    st.builds(lambda pop, rp: {**BASE, "population": pop, "residences_principales": rp, "logements_sociaux": 0},
              st.integers(0, 3499), st.integers(100, 2000)),
    st.builds(lambda rp: {**BASE, "population": 9000, "residences_principales": rp, "logements_sociaux": 0,
                          "exemptee": True}, st.integers(100, 5000)),
)


@settings(max_examples=30, deadline=None)
@given(commune=owing_nothing, position=st.integers(0, 2), contract=st.sampled_from([MUTUALISANT, ABAISSANT, POITIERS]))
def test_a_commune_owing_nothing_added_at_zero_keeps_a_valid_contract_valid(
    commune: dict[str, Any], position: int, contract: dict[str, Any]
) -> None:
    """L. 302-8, I, al. 1 and X, al. 3: it is « sans objet », never undecided, never in the total."""
    changed = copy.deepcopy(contract)
    changed["communes"].insert(position, {**commune, "nom": "Commune ajoutée", "objectif_retenu": 0})
    before, after = check_contract(contract), check_contract(changed)
    assert before.valide and after.valide
    assert {f.statut for f in after.verifications if f.commune == "Commune ajoutée"} == {"sans_objet"}
    totals = {r.aggregate.nom: r.valeur for r in after.agregats}
    assert totals == {r.aggregate.nom: r.valeur for r in before.agregats}


def newly_subject(contract: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(contract)
    changed["communes"][0]["date_entree_dispositif"] = "2023-01-01"  # first full period: 15 %
    return changed


@settings(max_examples=30, deadline=None)
@given(shift=st.integers(-60, 60).filter(lambda n: n != 0), contract=st.sampled_from([MUTUALISANT, ABAISSANT]))
def test_moving_a_newly_subject_communes_objective_is_always_a_violation(shift: int, contract: dict[str, Any]) -> None:
    """L. 302-8, VIII with IX, al. 1 and X, al. 1: abaissant and mutualisant contracts derogate to
    the VII only (guide, section 2)."""
    changed = newly_subject(contract)
    objective = check_contract(changed).communes[0].valeurs["objectif_triennal"]
    changed["communes"][0].update(objectif_retenu=max(0, objective + shift), accord_objectifs_supplementaires=True)
    result = check_contract(changed)
    assert not result.valide
    assert ("L302-8.VIII.sans-amenagement", changed["communes"][0]["nom"]) in {
        (f.verification.id, f.commune) for f in result.violations}


@settings(max_examples=20, deadline=None)
@given(order=st.permutations(range(10)), extra=st.lists(st.integers(-30, 30), min_size=10, max_size=10))
def test_the_verdict_does_not_depend_on_the_order_of_the_communes(order: list[int], extra: list[int]) -> None:
    contract = copy.deepcopy(POITIERS)
    for commune, e in zip(contract["communes"], extra):
        commune["objectif_retenu"] = max(0, commune["objectif_retenu"] + e)
    shuffled = dict(contract, communes=[contract["communes"][i] for i in order])

    def verdict(c: dict[str, Any]) -> tuple[bool, set[tuple[str, str | None, str]]]:
        result = check_contract(c)
        return result.valide, {(f.verification.id, f.commune, f.statut) for f in result.verifications}

    assert verdict(contract) == verdict(shuffled)


@settings(max_examples=30, deadline=None)
@given(drop=st.sets(st.sampled_from(["avis_commission_nationale", "autre_contrat_epci", "communes_deficitaires_epci",
                                     "plh_executoire"])),
       objectives=st.lists(st.integers(0, 250), min_size=2, max_size=2))
def test_an_invalid_verdict_always_names_a_violation_or_the_field_it_needs(drop: set[str], objectives: list[int]) -> None:
    contract = {k: v for k, v in copy.deepcopy(MUTUALISANT).items() if k not in drop}
    for commune, objective in zip(contract["communes"], objectives):
        commune["objectif_retenu"] = objective
        commune.pop("accord_objectifs_supplementaires", None)
    result = check_contract(contract)
    if not result.valide:
        assert result.violations or result.indeterminees
        assert all("champ " in f.texte for f in result.indeterminees), [f.texte for f in result.indeterminees]


def test_a_commune_contradicting_its_epci_is_refused_naming_both_fields() -> None:
    """L. 302-8, X, al. 5 and III: an EPCI under a PLH exécutoire covers its communes."""
    contract = copy.deepcopy(MUTUALISANT)
    contract["communes"][0]["plh"] = False
    contract["communes"][1]["plh_executoire_epci"] = False
    with pytest.raises(InputError) as error:
        check_contract(contract)
    fields = {p.champ: p.message for p in error.value.problemes}
    assert set(fields) == {"communes[1].plh", "communes[2].plh_executoire_epci"}
    assert "plh_executoire" in fields["communes[1].plh"] and "plh_executoire" in fields["communes[2].plh_executoire_epci"]


def test_an_abaissement_past_its_duration_is_at_the_prefets_discretion() -> None:
    """L. 302-8, IX, last alinéa: the préfet may waive the duration for a commune under 5 000."""
    commune = {**BASE, "nom": "Petite", "population": 4800, "residences_principales": 4000, "logements_sociaux": 500,
               "periodes_abaissement_anterieures": 3}
    result = evaluate(commune)
    abaissement = next(d for d in result.derogations if d.derogation.type == "abaissement")
    assert abaissement.etat == "a_l_appreciation_du_prefet" and not abaissement.ouverte
    assert abaissement.periodes_restantes is None and "déroge à cette durée" in abaissement.texte
    assert f"{abaissement.derogation.titre} : à l'appréciation du préfet." in result.texte()
    assert "L. 302-8, IX, al. 5" in {c.court for c in abaissement.citations}
    data = next(d for d in result.as_dict()["derogations"] if d["type"] == "abaissement")
    assert data["etat"] == "a_l_appreciation_du_prefet" and data["appreciation"]["remplie"] is True
    commune["population"] = 12000
    abaissement = next(d for d in evaluate(commune).derogations if d.derogation.type == "abaissement")
    assert abaissement.etat == "fermee" and "appréciation" not in abaissement.texte


def test_an_abaissement_past_its_duration_needs_the_prefets_decision_in_the_contract() -> None:
    """L. 302-8, IX, al. 5: without the préfet's decision on the duration, the contract cannot be
    checked, and the result names the input field that would settle it."""
    commune = {**BASE, "nom": "Petite", "population": 4800, "residences_principales": 4000, "logements_sociaux": 500,
               "periodes_abaissement_anterieures": 3, "objectif_retenu": 130}
    contract = {"nom": "EPCI", "type": "abaissant", "duree_annees": 3, "signature_etat": True, "signature_epci": True,
                "autre_contrat_epci": "aucun", "communes_deficitaires_epci": 1, "communes": [commune]}
    result = check_contract(contract)
    assert not result.valide and not result.violations
    assert any("derogation_duree_accordee" in f.texte for f in result.indeterminees), [f.texte for f in result.indeterminees]
    commune["derogation_duree_accordee"] = True
    assert check_contract(contract).valide
    commune["derogation_duree_accordee"] = False
    assert [v.verification.id for v in check_contract(contract).violations] == ["L302-8.IX.al5.derogation-duree-accordee"]


def test_whether_a_commune_subject_before_3ds_is_newly_subject_is_a_convention() -> None:
    """L. 302-8, VIII: entered on 1 January 2020, 2023-2025 is its second full period (25 %), or,
    under the other option, it falls under the VII (33 %)."""
    commune = {**BASE, "nom": "Entrée en 2020", "population": 12000, "residences_principales": 4000,
               "logements_sociaux": 500, "date_entree_dispositif": "2020-01-01"}
    assert evaluate(commune)["objectif_triennal"] == 125
    assert evaluate(commune, conventions={"nouvellement_soumise_avant_3ds": "exclue"})["objectif_triennal"] == 165


def test_a_mid_period_entrant_gives_its_deficit_at_entry() -> None:
    """L. 302-8, VIII, al. 2 and the guide's annexe 1: « déficit constaté au moment de l'entrée »."""
    commune = {**BASE, "nom": "Entrée en 2024", "population": 12000, "residences_principales": 4000,
               "logements_sociaux": 500, "date_entree_dispositif": "2024-01-01", "annee_inventaire": 2024}
    assert evaluate(commune)["objectif_triennal"] == 50  # 10 % of 500
    with pytest.raises(InputError) as error:
        evaluate({**commune, "annee_inventaire": 2023})
    assert [p.champ for p in error.value.problemes] == ["annee_inventaire"]


def test_a_contract_over_several_periods_rejects_bad_periods() -> None:
    contract = dict(copy.deepcopy(ABAISSANT), duree_annees=6)
    for periods in (["2023-2025", "2029-2031"], [], "2023-2025"):
        with pytest.raises(InputError) as error:
            check_contract(dict(contract, periodes=periods))
        assert error.value.problemes[0].champ == "periodes"
    with pytest.raises(InputError):
        check_contract(dict(contract, periodes=["2023-2025", "2026-2028"]), periode="2023-2025")


def test_a_contract_over_several_periods_gives_a_table_per_period() -> None:
    contract = dict(copy.deepcopy(ABAISSANT), duree_annees=6, periodes=["2023-2025", "2026-2028"])
    result = check_contract(contract)
    assert result.valide
    assert [(row["periode"], row["commune"]) for row in result.tableau] == [
        ("2023-2025", "Commune du dépliant"), ("2023-2025", "Total"),
        ("2026-2028", "Commune du dépliant"), ("2026-2028", "Total")]
    assert result.csv().splitlines()[0].startswith("periode,commune,")


def test_each_period_of_a_contract_has_its_own_law_verdict_and_totals() -> None:
    """L. 302-8-1, I, al. 4 (« pour chacune des périodes triennales qu'il couvre ») and L. 302-8,
    X, al. 3 (« pour chaque période ») : the total a mutualising contract must keep is that of each
    period. A's inventory grows for 2026-2028 and B's objective falls to 140: the second period
    misses its own total, the first does not."""
    contract = dict(copy.deepcopy(MUTUALISANT), duree_annees=6, periodes=["2023-2025", "2026-2028"])
    a, b = contract["communes"]
    a["periodes"] = {"2026-2028": {"logements_sociaux": 585, "annee_inventaire": 2025, "objectif_retenu": 80}}
    b["periodes"] = {"2026-2028": {"annee_inventaire": 2025, "objectif_retenu": 140}}
    result = check_contract(contract)
    assert [(str(c.periode), c.valide) for c in result.par_periode] == [("2023-2025", True), ("2026-2028", False)]
    assert not result.valide
    assert [(f.periode, f.verification.id) for f in result.violations] == [("2026-2028", "L302-8.X.al3.total")]
    data = result.as_dict()
    totals = [p["agregats"]["objectif_total_mutualisation"]["valeur"] for p in data["par_periode"]]
    assert totals == [264, 137 + 99]
    assert data["agregats"]["objectif_total_mutualisation"]["valeur"] == 264  # the first period's
    assert [(p["periode"], p["version_loi"], p["valide"]) for p in data["par_periode"]] == [
        ("2023-2025", "3DS", True), ("2026-2028", "3DS", False)]
    assert "  Période 2026-2028 : non conforme." in result.texte()
    assert "par_periode" not in check_contract(MUTUALISANT).as_dict()
