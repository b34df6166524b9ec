"""Why not (``--pourquoi-pas``): the rules weighed that did not apply, the condition that failed, the
values it read — so that a user sees why VII 1° did not give 50 %, or why a derogation is closed."""

from __future__ import annotations

import io
import json

import jsonschema

from cms_law import evaluate, load_rulebook
from cms_law.cli import main
from cms_law.inputs import read_file
from cms_law.schemas import schema
from cms_law.serve import handlers
from conftest import EXAMPLES

EXAMPLE = read_file(EXAMPLES / "commune_exemple.yaml")


def test_vii_1_did_not_give_50_percent_because_the_gap_exceeds_4_points() -> None:
    """L. 302-8, VII, 1°: 50 % for a gap « compris entre deux et quatre points » — here 4,1 points."""
    result = evaluate(EXAMPLE, pourquoi_pas=True)
    (item,) = [i for i in result.pourquoi_pas if i.regle == "L302-8.VII.1°"]
    assert (item.raison, item.condition) == ("condition_fausse", "ecart_retenu <= ecart_seuil_haut")
    assert item.valeurs == {"ecart_retenu": result["ecart_retenu"], "ecart_seuil_haut": 4}
    assert result["ecart_retenu"] > 4
    assert "L302-8.VII.al1" not in {i.regle for i in result.pourquoi_pas}  # it applied


def test_an_exception_that_applied_is_named() -> None:
    """The 25 % of L. 302-5, I yields to the target rate given in the input (the decree of II)."""
    (item,) = [i for i in evaluate(EXAMPLE, pourquoi_pas=True).pourquoi_pas if i.regle == "L302-5.I.taux-cible"]
    assert item.raison == "exception" and item.ecartee_par == ("L302-5.II.taux-cible-fourni",)


def test_a_closed_derogation_shows_its_unmet_condition() -> None:
    """L. 302-8, VIII: the reduced objective of a newly subject commune needs it to be newly subject."""
    items = [i for i in evaluate(EXAMPLE, pourquoi_pas=True).pourquoi_pas if i.nature == "derogation"]
    (viii,) = [i for i in items if i.regle == "L302-8.VIII.derogation"]
    assert viii.raison == "condition_fausse" and viii.valeurs == {"commune_nouvellement_soumise": False}
    unknown = [i for i in items if i.raison == "donnees_manquantes"]
    assert unknown and all(None in i.valeurs.values() for i in unknown)


def test_without_the_flag_nothing_changes() -> None:
    assert evaluate(EXAMPLE).pourquoi_pas is None
    assert "pourquoi_pas" not in evaluate(EXAMPLE).as_dict()


def test_in_json_and_french_text() -> None:
    out = io.StringIO()
    assert main(["evaluate", str(EXAMPLES / "commune_exemple.yaml"), "--pourquoi-pas", "--format", "json"], stdout=out) == 0
    data = json.loads(out.getvalue())
    jsonschema.validate(data, schema("resultat"))
    (item,) = [i for i in data["pourquoi_pas"] if i["regle"] == "L302-8.VII.1°"]
    assert item["valeurs"]["ecart_seuil_haut"] == "4" and item["citations"] == ["L. 302-8, VII, 1° (al. 3)"]
    out = io.StringIO()
    main(["evaluate", str(EXAMPLES / "commune_exemple.yaml"), "--pourquoi-pas"], stdout=out)
    text = out.getvalue()
    assert "Règles examinées qui ne se sont pas appliquées" in text
    assert ("La règle L302-8.VII.1° (« Objectif porté à 50 % pour un écart de deux à quatre points ») (L. 302-8, VII, 1° (al. 3))"
            " ne s'applique pas : « ecart_retenu <= ecart_seuil_haut » est faux") in text


def test_over_http_with_a_query_flag() -> None:
    answer = handlers.evaluate(load_rulebook(), EXAMPLE, {"pourquoi_pas": ["oui"]})
    assert any(i["regle"] == "L302-8.VII.1°" for i in answer["pourquoi_pas"])
    assert "pourquoi_pas" not in handlers.evaluate(load_rulebook(), EXAMPLE)
