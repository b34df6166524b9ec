"""Properties that must hold for every commune, checked on generated communes (hypothesis)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cms_law import evaluate

PERIODS = ["2023-2025", "2026-2028", "2029-2031"]


@st.composite
def communes(draw: st.DrawFn) -> dict[str, Any]:
    residences = draw(st.integers(1, 60000))
    entry: dict[str, Any] = {
        "nom": "Commune générée",
        "population": draw(st.integers(0, 150000)),
        "unite_urbaine_paris": draw(st.booleans()),
        "agglomeration_ou_epci_eligible": draw(st.booleans()),
        "residences_principales": residences,
        "logements_sociaux": draw(st.integers(0, residences)),
        "plh": draw(st.booleans()),
        "exemptee": draw(st.booleans()),
    }
    if draw(st.booleans()):
        entry["taux_cible"] = draw(st.sampled_from(["20 %", "25 %", 0.2, 0.25]))
    else:
        entry["territoire_taux_reduit"] = draw(st.booleans())
        entry["territoire_hors_liste"] = draw(st.booleans())
    if draw(st.booleans()):
        entry["date_entree_dispositif"] = draw(
            st.dates(min_value=dt.date(2002, 1, 1), max_value=dt.date(2025, 12, 31))
        ).isoformat()
    return entry


@settings(max_examples=150, deadline=None)
@given(entry=communes())
def test_objectives_are_never_negative_and_never_exceed_the_deficit(entry: dict[str, Any]) -> None:
    result = evaluate(entry)
    objective, deficit = result["objectif_triennal"], result["logements_manquants"]
    if objective is not None:
        assert 0 <= objective <= deficit
    if result["taux_rattrapage"] is not None:  # an exempted commune's objective is 0, without typology
        assert 0 <= result["plai_minimum"] <= objective
        assert 0 <= result["pls_maximum"] <= objective


@settings(max_examples=100, deadline=None)
@given(entry=communes(), more=st.integers(1, 5000))
def test_more_social_housing_never_raises_the_deficit(entry: dict[str, Any], more: int) -> None:
    before = evaluate(entry)["logements_manquants"]
    richer = dict(entry, logements_sociaux=min(entry["residences_principales"], entry["logements_sociaux"] + more))
    after = evaluate(richer)["logements_manquants"]
    if before is not None and after is not None:
        assert after <= before
    if before is None:
        # Not subject: having more social housing cannot make the commune subject.
        assert after is None


@settings(max_examples=100, deadline=None)
@given(entry=communes(), period=st.sampled_from(PERIODS))
def test_the_explanation_cites_every_rule_that_contributed(entry: dict[str, Any], period: str) -> None:
    entry.pop("date_entree_dispositif", None)
    result = evaluate(entry, period)
    steps = {step.regle: step for step in result.explication}
    for name, rule_id in result.origines.items():
        assert rule_id in steps, f"{name} vient de {rule_id}, absente de l'explication"
        assert steps[rule_id].citations, f"{rule_id} ne cite aucun alinéa"
        assert name in steps[rule_id].valeurs
    for step in result.explication:
        assert step.texte and "{" not in step.texte
    data = result.as_dict()
    if data["regime"] is not None:
        origin = steps[result.origines["taux_rattrapage"]]
        assert data["regime"] == origin.citations[0].court


@settings(max_examples=50, deadline=None)
@given(entry=communes())
def test_same_input_same_output(entry: dict[str, Any]) -> None:
    assert evaluate(entry).to_json() == evaluate(dict(reversed(list(entry.items())))).to_json()


@settings(max_examples=100, deadline=None)
@given(entry=communes(), period=st.sampled_from(PERIODS))
def test_each_step_can_be_checked_from_its_own_inputs(entry: dict[str, Any], period: str) -> None:
    """An auditor redoes a step with nothing but the inputs the explanation shows for it: its
    condition holds and its formulas give the values it states."""
    entry.pop("date_entree_dispositif", None)
    result = evaluate(entry, period)
    for step in result.explication:
        if step.nature != "regle":
            continue
        rule = result.rulebook.rule(step.regle, result.periode.date_reference)
        assert rule is not None and set(step.entrees) == set(rule.reads)
        lookup = step.entrees.get
        assert rule.si is None or rule.si.evaluate(lookup) is True, step.regle
        assert {name: formula.evaluate(lookup) for name, formula in rule.alors.items()} == dict(step.valeurs)
