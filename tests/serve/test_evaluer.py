"""POST /evaluer, /evaluer-epci, /verifier-contrat, /historique: parameters in the body or the query."""

from __future__ import annotations

import yaml

from .conftest import EXAMPLES, Client, cli

LEAFLET = yaml.safe_load((EXAMPLES / "commune_depliant_dhup.yaml").read_text("utf-8"))
#: The same commune for any period (its inventory year is that of 2023-2025).
ANY_PERIOD = {key: value for key, value in LEAFLET.items() if key != "annee_inventaire"}


def test_the_leaflet_commune_over_http(server: Client) -> None:
    data = server.post_json("/evaluer", LEAFLET).json()
    assert (data["logements_manquants"], data["objectif_triennal"]) == (500, 165)  # L. 302-8, VII, al. 1: 33 %
    assert data["regime"] == "L. 302-8, VII, al. 1" and data["taux_rattrapage"] == "0.33"
    assert all(step["citations"] and step["texte"] for step in data["explication"])


def test_period_and_conventions_in_the_body_or_the_query_give_the_same_answer(server: Client) -> None:
    commune = {**ANY_PERIOD, "logements_sociaux": 549}  # 451 missing: 33 % is 148.83
    in_body = server.post_json("/evaluer", {"commune": commune, "periode": "2026-2028",
                                            "conventions": {"arrondi_objectifs": "inferieur"}})
    in_query = server.post_json("/evaluer", commune, [("periode", "2026-2028"),
                                                      ("convention", "arrondi_objectifs=inferieur")])
    assert in_body.status == in_query.status == 200
    assert in_body.body == in_query.body
    data = in_body.json()
    assert data["periode"] == "2026-2028" and data["objectif_triennal"] == 148
    assert data["conventions"]["arrondi_objectifs"] == {"valeur": "inferieur", "par_defaut": False}


def test_a_date_evaluates_the_period_and_the_law_that_governs_it(server: Client) -> None:
    """L. 302-8, I: the period of a date; 2022-06-01 lies in 2020-2022, under the law of 2017."""
    commune = {**ANY_PERIOD, "conditions_assujettissement": True}
    data = server.post_json("/evaluer", commune, [("date", "2022-06-01")]).json()
    assert (data["periode"], data["version_loi"]) == ("2020-2022", "LEC")


def test_parameters_given_twice_or_unknown_are_named(server: Client) -> None:
    answer = server.post_json("/evaluer", {"commune": LEAFLET, "periode": "2023-2025"},
                              [("periode", "2026-2028"), ("annee", "2024")])
    assert answer.status == 422
    assert {p["champ"] for p in answer.json()["erreurs"]} == {"periode", "annee"}
    answer = server.post_json("/evaluer", {"commune": LEAFLET, "periode": "2023-2025", "en_plus": 1})
    assert answer.status == 422 and answer.json()["erreurs"][0]["champ"] == "en_plus"
    answer = server.post_json("/evaluer", LEAFLET, [("convention", "arrondi_objectifs")])
    assert answer.json()["erreurs"][0]["champ"] == "convention"


def test_bad_input_gives_the_problems_of_the_command_line(server: Client, tmp_path) -> None:
    bad = {**LEAFLET, "population": -3, "logements_sociaux": "beaucoup"}
    bad.pop("plh")
    path = tmp_path / "commune.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    code, printed = cli("evaluate", str(path), "--format", "json")
    answer = server.post_file("/evaluer", path)
    assert (code, answer.status) == (1, 422)
    # The same problems, each naming its line: of the user's file, or of the body sent.
    assert answer.body == printed.replace(f"({path}, ligne".encode(), b"(corps, ligne")
    assert b"(corps, ligne 5)" in answer.body
    assert {p["champ"] for p in answer.json()["erreurs"]} == {"population", "plh", "logements_sociaux"}
    answer = server.post_json("/evaluer", LEAFLET, [("convention", "arrondi=haut")])
    assert answer.json()["erreurs"][0]["champ"] == "conventions.arrondi"


def test_a_refused_contract_is_an_answer_not_an_error(server: Client) -> None:
    """L. 302-8, IX, al. 1: an abaissant contract may not go below the floor (125 of 500 here)."""
    contract = yaml.safe_load((EXAMPLES / "contrat_depliant_abaissant.yaml").read_text("utf-8"))
    contract["communes"][0]["objectif_retenu"] = 100
    answer = server.post_json("/verifier-contrat", {"contrat": contract})
    assert answer.status == 200
    data = answer.json()
    assert data["valide"] is False and data["violations"]
    assert any("L. 302-8, IX" in citation for v in data["violations"] for citation in v["citations"])


def test_an_epci_with_its_aggregates(server: Client) -> None:
    """L. 302-8, X, al. 3: the EPCI keeps the sum of the objectives of the VII (165 + 99)."""
    epci = yaml.safe_load((EXAMPLES / "epci_depliant_dhup.yaml").read_text("utf-8"))
    data = server.post_json("/evaluer-epci", {"epci": epci, "periode": "2023-2025"}).json()
    assert data["agregats"]["objectif_total_mutualisation"]["valeur"] == 264
    answer = server.post_json("/evaluer-epci", {"nom": "EPCI vide", "communes": []})
    assert answer.status == 422 and answer.json()["erreurs"][-1]["champ"] == "communes"
