"""Evaluating an EPCI: each commune's legal objective and the mutualisation of L. 302-8, X."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import yaml

from cms_law import InputError
from cms_law.cli import EXIT_INPUT, main
from cms_law.epci import evaluate_epci
from conftest import EXAMPLES, commune


def epci(*communes: dict[str, Any], plh_executoire: bool | None = True) -> dict[str, Any]:
    data: dict[str, Any] = {"nom": "EPCI d'essai", "communes": list(communes)}
    if plh_executoire is not None:
        data["plh_executoire"] = plh_executoire
    return data


A = commune(nom="Commune A", soumise_prelevement=True)  # 500 missing, objective 165
B = commune(nom="Commune B", population=8000, residences_principales=2400, logements_sociaux=300,
            soumise_prelevement=True)  # 300 missing, objective 99


def derogation(result: Any) -> Any:
    (epci_mutualisation,) = result.derogations
    return epci_mutualisation


def test_leaflet_example_2_objectives_floors_and_total() -> None:
    """L. 302-8, X, al. 2 and al. 3: floors of half the VII objective, total of the VII objectives."""
    result = evaluate_epci(yaml.safe_load((EXAMPLES / "epci_depliant_dhup.yaml").read_text(encoding="utf-8")))
    assert [c["objectif_triennal"] for c in result.communes] == [165, 99]
    floors = [next(d.plancher for d in c.derogations if d.derogation.type == "mutualisation") for c in result.communes]
    assert floors == [83, 50]
    assert result["objectif_total_mutualisation"] == 264
    assert derogation(result).ouverte is True
    assert derogation(result).plancher == 264


def test_an_epci_without_executory_plh_cannot_mutualise() -> None:
    """L. 302-8, X, al. 5."""
    result = evaluate_epci(epci(A, B, plh_executoire=False))
    assert derogation(result).ouverte is False
    failed = [c for c in derogation(result).conditions if c.remplie is False]
    assert "L. 302-8, X, al. 5" in {citation.court for c in failed for citation in c.condition.citations}
    assert all(not c["mutualisation_ouverte"] for c in result.communes)


def test_a_commune_not_paying_the_levy_is_left_out_of_the_total() -> None:
    """L. 302-8, X, al. 1 and al. 3: only communes subject to the levy of L. 302-7 count."""
    result = evaluate_epci(epci(dict(A, soumise_prelevement=False), B))
    assert result["objectif_total_mutualisation"] == 99
    assert result["communes_mutualisables"] == 1
    assert derogation(result).ouverte is False  # one commune cannot mutualise with itself


def test_unknown_levy_is_reported_as_undetermined_not_guessed() -> None:
    """L. 302-8, X, al. 3: a commune whose levy is unknown is named, not silently counted."""
    unknown = {key: value for key, value in A.items() if key != "soumise_prelevement"}
    result = evaluate_epci(epci(unknown, B))
    total = next(r for r in result.agregats if r.aggregate.nom == "objectif_total_mutualisation")
    assert total.valeur == 99 and total.indeterminees == ("Commune A",)
    assert "indéterminé" in result.texte()


def test_a_newly_subject_commune_is_neither_mutualisable_nor_counted() -> None:
    """L. 302-8, VIII, al. 1 (guide, section 2) and X, al. 3."""
    entering = dict(B, date_entree_dispositif="2023-01-01")
    result = evaluate_epci(epci(A, entering))
    assert result["objectif_total_mutualisation"] == 165
    assert result["communes_mutualisables"] == 1


def test_every_problem_of_every_commune_is_named_with_its_position() -> None:
    with pytest.raises(InputError) as raised:
        evaluate_epci(epci(dict(A, population=-1), dict(B, logements_sociaux=9999)))
    assert set(raised.value.champs) == {"communes[1].population", "communes[2].logements_sociaux"}
    with pytest.raises(InputError) as raised:
        evaluate_epci({"nom": "Sans communes"})
    assert raised.value.champs == ("communes",)


def test_command_line_json() -> None:
    out = io.StringIO()
    assert main(["evaluate-epci", str(EXAMPLES / "epci_depliant_dhup.yaml"), "--format", "json"], stdout=out) == 0
    data = json.loads(out.getvalue())
    assert data["agregats"]["objectif_total_mutualisation"]["valeur"] == 264
    assert data["derogations"][0]["type"] == "mutualisation" and data["derogations"][0]["ouverte"] is True
    assert [c["commune"]["nom"] for c in data["communes"]] == ["Commune A", "Commune B"]
    bad = io.StringIO()
    assert main(["evaluate-epci", str(EXAMPLES / "commune_exemple.yaml"), "--format", "json"], stdout=bad) == EXIT_INPUT
