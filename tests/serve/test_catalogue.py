"""GET /regles, /regles/{id}, /parametres, /diff, /schemas, /sante, the texts and the pages."""

from __future__ import annotations

import re
from urllib.parse import unquote

from cms_law import load_rulebook

from .conftest import MAX_BODY, MAX_ROWS, Client, cli


def test_rules_as_the_command_line_prints_them(server: Client) -> None:
    assert server.get("/regles").body == cli("rules", "--format", "json")[1]


def test_one_rule_with_each_of_its_versions(server: Client) -> None:
    answer = server.get("/regles/L302-8.VII.1°")
    assert answer.status == 200
    data = answer.json()
    assert data["id"] == "L302-8.VII.1°"
    assert [c["citation"] for c in data["versions"][0]["citations"]] == ["L. 302-8, VII, 1° (al. 3)"]
    missing = server.get("/regles/L302-8.VII.9°")
    assert missing.status == 404 and "GET /regles" in missing.json()["erreurs"][0]["message"]


def test_parameters_and_conventions(server: Client) -> None:
    data = server.get("/parametres").json()
    rate = [p for p in data["parametres"] if p["nom"] == "taux_rattrapage_general"]
    assert {v["valeur"] for p in rate for v in p["valeurs"]} >= {"0.33"}  # L. 302-8, VII, al. 1 since 2022
    assert {c["nom"] for c in data["conventions"]} == set(load_rulebook().conventions)


def test_diff_as_the_command_line(server: Client) -> None:
    """The 3DS reform: the VII, 1° and 2° added, the general rate from 50 % to 33 %."""
    answer = server.get("/diff", [("du", "2022-02-22"), ("au", "2022-02-23")])
    assert answer.body == cli("diff", "2022-02-22", "2022-02-23", "--format", "json")[1]
    assert {c["id"] for c in answer.json()["changements"] if c["changement"] == "ajout"} >= {"L302-8.VII.1°"}
    answer = server.get("/diff", [("du", "2022-02-22")])
    assert answer.status == 422 and answer.json()["erreurs"][0]["champ"] == "au"
    answer = server.get("/diff", [("du", "hier"), ("au", "2022-02-23")])
    assert answer.status == 422 and answer.json()["erreurs"][0]["champ"] == "avant"


def test_schemas_as_the_command_line_prints_them(server: Client) -> None:
    names = server.get("/schemas").json()
    assert "resultat" in names and "commune" in names
    for name in names:
        assert server.get(f"/schemas/{name}").body == cli("schema", name)[1]
    assert server.get("/schemas/inconnu").status == 404


def test_health_names_the_version_and_the_limits(server: Client) -> None:
    data = server.get("/sante").json()
    assert data["statut"] == "ok"
    assert data["limites"] == {"corps_octets": MAX_BODY, "lignes_lot": MAX_ROWS}


def test_a_citation_leads_to_its_alinea_text(server: Client) -> None:
    answer = server.get("/citation", [("citation", "L. 302-8, VII, 1° (al. 3)"), ("periode", "2023-2025")])
    assert answer.status == 303
    page_path, anchor = unquote(answer.headers["location"]).split("#")
    page = server.get(page_path)
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    section = re.search(rf'<section class="alinea" id="{re.escape(anchor)}".*?</section>', page.text, re.S)
    assert section is not None
    stored = load_rulebook().rule("L302-8.VII.1°").citations[0].alinea  # type: ignore[union-attr]
    assert stored.texte and stored.texte[:60].replace("'", "&#x27;") in section.group(0)
    assert "texte consolidé" in section.group(0)  # its provenance, as stored
    # The item alone and its alinéa number in the section lead to the same alinéa.
    for form in ("L. 302-8, VII, 1°", "L. 302-8, VII, al. 3"):
        same = server.get("/citation", [("citation", form), ("periode", "2023-2025")])
        assert same.status == 303 and same.headers["location"] == answer.headers["location"]
    # The alinéa of the version a step names (version_debut), for an older law.
    answer = server.get("/citation", [("citation", "L. 302-8, al. 1"), ("version", "2000-12-14")])
    assert answer.status == 303 and answer.headers["location"].startswith("/textes/cch/L302-8/2000-12-14#")
    assert server.get("/citation", [("citation", "L. 302-8, XX"), ("periode", "2023-2025")]).status == 404
    assert server.get("/citation", [("citation", "L. 302-8, VII, 1° (al. 3)")]).status == 422


def test_the_texts_index_and_a_missing_text(server: Client) -> None:
    index = server.get("/textes").text
    assert all(f'/textes/{v.fichier.removesuffix(".yaml")}"' in index for v in load_rulebook().articles)
    page = server.get("/textes/cch/L302-8/2017-01-29").text
    assert "Texte non disponible" in page  # declared missing, never paraphrased


def test_the_pages_are_served(server: Client) -> None:
    for path in ("/", "/documentation"):
        answer = server.get(path)
        assert answer.status == 200 and answer.headers["content-type"].startswith("text/html")
        assert '<html lang="fr">' in answer.text
        assert "default-src 'self'" in answer.headers["content-security-policy"]
    for asset in ("/static/app.js", "/static/documentation.js", "/static/style.css"):
        assert server.get(asset).status == 200
