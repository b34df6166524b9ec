"""Loading the rule files: the law as shipped loads, and every defect is named with file and rule."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any

import pytest

from cms_law import RuleFileError, evaluate, load_rulebook
from conftest import commune

L302_8 = "cch/L302-8/2022-02-23.yaml"


def rule(data: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for r in data["regles"] if r["id"] == rule_id)


def test_the_shipped_rules_load_and_every_citation_resolves_to_a_stored_alinea() -> None:
    book = load_rulebook()
    assert book.regles and book.parametres and book.conventions
    for item in [*book.regles, *book.parametres, *book.controles]:
        for citation in item.citations:
            assert citation.alinea in citation.version.alineas
            assert citation.alinea.texte or citation.alinea.provenance == "non_disponible"


def test_rules_are_read_from_the_installed_package_not_the_current_directory(tmp_path) -> None:  # type: ignore[no-untyped-def]
    code = "from cms_law import load_rulebook; print(len(load_rulebook().regles))"
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert int(output.stdout) == len(load_rulebook().regles)


def test_changing_a_rule_file_changes_the_result(rules_copy) -> None:  # type: ignore[no-untyped-def]
    def raise_rate(data: dict[str, Any]) -> None:
        data["parametres"]["taux_rattrapage_general"]["valeurs"][0]["valeur"] = "40 %"

    book = rules_copy(L302_8, raise_rate)
    assert evaluate(commune())["objectif_triennal"] == 165
    assert evaluate(commune(), rulebook=book)["objectif_triennal"] == 200


def expect_error(rules_copy, change, *fragments: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleFileError) as raised:
        rules_copy(L302_8, change)
    message = str(raised.value)
    assert L302_8 in message
    for fragment in fragments:
        assert fragment in message, message


def test_unknown_field_is_named(rules_copy) -> None:  # type: ignore[no-untyped-def]
    expect_error(rules_copy, lambda d: rule(d, "L302-8.VII.al1").update(sinon="x"), "L302-8.VII.al1", "sinon")


def test_citation_to_an_alinea_not_stored_is_refused(rules_copy) -> None:  # type: ignore[no-untyped-def]
    expect_error(rules_copy, lambda d: rule(d, "L302-8.VII.1°").update(cite=["VII.5°"]), "L302-8.VII.1°", "VII.5°")


def test_unparsable_expression_is_refused(rules_copy) -> None:  # type: ignore[no-untyped-def]
    def broken(data: dict[str, Any]) -> None:
        rule(data, "L302-8.VII.2°")["si"] = "ecart_retenu <"

    expect_error(rules_copy, broken, "L302-8.VII.2°", "expression invalide")


def test_unknown_name_is_refused(rules_copy) -> None:  # type: ignore[no-untyped-def]
    def typo(data: dict[str, Any]) -> None:
        rule(data, "L302-8.VII.2°")["si"] = "ecart_retnu < ecart_seuil_bas"

    expect_error(rules_copy, typo, "L302-8.VII.2°", "ecart_retnu")


def test_overlapping_validity_of_one_rule_id_is_refused(rules_copy) -> None:  # type: ignore[no-untyped-def]
    def duplicate(data: dict[str, Any]) -> None:
        copy = dict(rule(data, "L302-8.VII.al1"))
        copy["valide"] = {"du": "2024-01-01"}
        data["regles"].append(copy)

    expect_error(rules_copy, duplicate, "L302-8.VII.al1", "chevauche")


def test_circular_dependency_is_refused(rules_copy) -> None:  # type: ignore[no-untyped-def]
    def cycle(data: dict[str, Any]) -> None:
        rule(data, "L302-8.VII.ecart")["si"] = "ecart_retenu >= 0"

    expect_error(rules_copy, cycle, "circulaire")


def test_code_execution_is_impossible_from_a_rule_file(rules_copy) -> None:  # type: ignore[no-untyped-def]
    def inject(data: dict[str, Any]) -> None:
        rule(data, "L302-8.VII.al1")["si"] = "__import__('os').system('false')"

    expect_error(rules_copy, inject, "L302-8.VII.al1")


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda s: s["commune"][0].update(si="soumisse"), "soumisse"),
        (lambda s: s["commune"][0].update(texte="{taux_cibel}"), "taux_cibel"),
        (lambda s: s["membre_epci"][0].update(texte="{taux_rattrapage.article}"), "motif ou citation"),
        (lambda s: s["bilan"][0].update(somme="objectif_triennal"), "compte"),
        (lambda s: s["bilan"][3].update(somme="regime_texte_inconnu"), "grandeur numérique"),
        (lambda s: s.pop("membre_epci"), "membre_epci"),
        (lambda s: s["historique"]["colonnes"].append("objectif_trienal"), "objectif_trienal"),
        (lambda s: s["historique"]["tableau"][0]["phrase"][0].update(si="taux_cible >"), "expression"),
        (lambda s: s["historique"]["graphique"].update(valeur="soumise"), "grandeur numérique"),
    ],
    ids=[
        "condition", "texte", "vue", "compte-et-somme", "somme", "phrase-manquante",
        "colonne-historique", "tableau-historique", "graphique",
    ],
)
def test_summaries_are_checked_like_rules(rules_copy, change, said) -> None:  # type: ignore[no-untyped-def]
    """The summaries of vocabulaire.yaml name only known values, and each use the engine writes."""
    with pytest.raises(RuleFileError) as raised:
        rules_copy("vocabulaire.yaml", lambda data: change(data["syntheses"]))
    message = str(raised.value)
    assert "vocabulaire.yaml" in message and said in message, message


def test_the_engine_hooks_of_lois_yaml_are_checked(rules_copy) -> None:  # type: ignore[no-untyped-def]
    """The only names the engine uses to find a date's period come from lois.yaml, and must exist."""
    bounds = ["periode_de_la_date_debut", "periode_de_la_date_fin"]
    with pytest.raises(RuleFileError) as raised:
        rules_copy("lois.yaml", lambda data: data["periode"].update(periode_de_la_date=[bounds[0], "fin"]))
    assert "periode.periode_de_la_date" in str(raised.value) and "« fin »" in str(raised.value)
    with pytest.raises(RuleFileError) as raised:  # the copy keeps each edit: the first one is undone
        rules_copy("lois.yaml", lambda data: data["periode"].update(periode_de_la_date=bounds, premiere_annee="annee"))
    assert "periode.premiere_annee" in str(raised.value) and "« annee »" in str(raised.value)


def test_a_value_label_must_be_a_value_the_field_accepts(rules_copy) -> None:
    def edit(data):
        data["contrat"]["type"]["valeurs"]["sans_amenagemnt"] = "sans aménagement"

    with pytest.raises(RuleFileError, match="valeurs.sans_amenagemnt"):
        rules_copy("vocabulaire.yaml", edit)


L302_5_2023 = "cch/L302-5/2023-01-01.yaml"


def test_a_version_takes_over_the_rules_of_the_one_it_names() -> None:
    """L. 302-5 since 2023 (reprend: 2022-02-23): the 2022 rules hold in both versions, each
    citing its own version's alinéa; III ter only from 2023."""
    book = load_rulebook()

    def in_force(rule_id: str, day: str) -> list[Any]:
        return [r for r in book.regles if r.id == rule_id and r.validite.contains(dt.date.fromisoformat(day))]

    for day, start in (("2022-06-01", dt.date(2022, 2, 23)), ("2024-06-01", dt.date(2023, 1, 1))):
        (exemption,) = in_force("L302-5.III bis.al1", day)
        assert {c.version.validite.debut for c in exemption.citations} == {start}
    assert not in_force("L302-5.III ter.al1", "2022-06-01")
    assert in_force("L302-5.III ter.al1", "2024-06-01")


def expect_taking_over_refused(rules_copy, change, *fragments: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleFileError) as raised:
        rules_copy(L302_5_2023, change)
    for fragment in (L302_5_2023, "version.reprend", *fragments):
        assert fragment in str(raised.value), str(raised.value)


def test_taking_over_a_text_that_differs_is_refused(rules_copy) -> None:  # type: ignore[no-untyped-def]
    def reword(data: dict[str, Any]) -> None:
        alinea = next(a for a in data["alineas"] if a["id"] == "III bis.al1")
        alinea["texte"] = alinea["texte"].replace("moitié", "tiers")

    expect_taking_over_refused(rules_copy, reword, "III bis.al1", "diffère")


def test_taking_over_a_missing_alinea_is_refused(rules_copy) -> None:  # type: ignore[no-untyped-def]
    def drop(data: dict[str, Any]) -> None:
        data["alineas"] = [a for a in data["alineas"] if a["id"] != "IV.al12"]

    expect_taking_over_refused(rules_copy, drop, "IV.al12", "manque")


def test_taking_over_an_unknown_version_is_refused(rules_copy) -> None:  # type: ignore[no-untyped-def]
    expect_taking_over_refused(rules_copy, lambda d: d["version"].update(reprend="2021-01-01"), "2021-01-01")
