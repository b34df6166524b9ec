"""Reforms: the law read otherwise (a parameter, rules added, replaced or neutralised, another rules
folder), and every result computed under one saying so."""

from __future__ import annotations

import io
import json
import shutil
import textwrap
from fractions import Fraction
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cms_law import evaluate, load_rulebook
from cms_law.cli import main
from cms_law.errors import InputError
from cms_law.inputs import read_file
from cms_law.loader import rules_root
from cms_law.model import RuleBook
from cms_law.reforms import ReformError, reformed_book
from cms_law.schemas import schema
from cms_law.serve import handlers
from cms_law.serve.catalogue import build_catalogue
from cms_law.serve.settings import Settings
from conftest import EXAMPLES
from test_properties import communes

REFORM = EXAMPLES / "reforme_rattrapage_40.yaml"
EXAMPLE = read_file(EXAMPLES / "commune_exemple.yaml")


def run(*arguments: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(arguments), stdout=out)
    return code, out.getvalue()


def reform(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "reforme.yaml"
    path.write_text("titre: Essai\njustification: une lecture à l'essai\n" + textwrap.dedent(text), encoding="utf-8")
    return path


def test_the_example_reform_raises_the_catch_up_of_vii_al1_to_40_percent() -> None:
    """336 dwellings missing: 33 % gives 111 (VII al. 1), 40 % gives 134,4, rounded up to 135."""
    law, reformed = evaluate(EXAMPLE), evaluate(EXAMPLE, rulebook=reformed_book(reforme=REFORM))
    assert (law["logements_manquants"], law["objectif_triennal"]) == (336, 111)
    assert (reformed["taux_rattrapage"], reformed["objectif_triennal"]) == (Fraction(2, 5), 135)
    assert law.rulebook.reforme is None


def test_a_reformed_result_says_so_first_in_text_and_json() -> None:
    code, text = run("evaluate", str(EXAMPLES / "commune_exemple.yaml"), "--reforme", str(REFORM))
    assert code == 0
    assert text.startswith("RÉFORME — ce résultat n'est pas celui de la loi en vigueur")
    assert "« Taux de rattrapage de droit commun porté à 40 % »" in text.splitlines()[0]
    code, output = run("evaluate", str(EXAMPLES / "commune_exemple.yaml"), "--reforme", str(REFORM), "--format", "json")
    data = json.loads(output)
    assert next(iter(data)) == "reforme"
    assert data["reforme"]["titre"] == "Taux de rattrapage de droit commun porté à 40 %"
    assert len(data["reforme"]["empreinte"]) == 64
    assert data["reforme"]["modifications"][0]["cible"] == "taux_rattrapage_general"
    jsonschema.validate(data, schema("resultat"))


def test_the_fingerprint_is_of_the_content_not_the_layout(tmp_path: Path) -> None:
    text = REFORM.read_text(encoding="utf-8")
    relaid = tmp_path / "la_meme_en.json"
    relaid.write_text(json.dumps(read_file(REFORM), indent=4, default=str), encoding="utf-8")
    assert reformed_book(reforme=relaid).reforme.empreinte == reformed_book(reforme=REFORM).reforme.empreinte
    changed = tmp_path / "change.yaml"
    changed.write_text(text.replace('"40 %"', '"41 %"'))
    assert reformed_book(reforme=changed).reforme.empreinte != reformed_book(reforme=REFORM).reforme.empreinte


def test_the_example_reform_file_follows_its_schema() -> None:
    jsonschema.validate(json.loads(json.dumps(read_file(REFORM), default=str)), schema("reforme"))


# --------------------------------------------------------------------------- a parameter, exactly what depends on it


def _dependents(book: RuleBook, parameter: str) -> set[str]:
    """Every variable a rule concludes from the parameter, directly or through another variable."""
    found = {parameter}
    grown = True
    while grown:
        grown = False
        for rule in book.regles:
            if rule.reads & found and not set(rule.alors) <= found:
                found |= set(rule.alors)
                grown = True
    return found - {parameter}


RATES = ["taux_rattrapage_general", "taux_rattrapage_ecart_intermediaire", "taux_rattrapage_ecart_faible",
         "part_plai_minimale", "part_pls_maximale"]


@settings(max_examples=60, deadline=None)
@given(entry=communes(), name=st.sampled_from(RATES), percent=st.integers(1, 100),
       period=st.sampled_from(["2023-2025", "2026-2028"]))
def test_a_parameter_changed_changes_only_the_figures_that_depend_on_it(
    entry: dict[str, Any], name: str, percent: int, period: str
) -> None:
    law_book = load_rulebook()
    book = reformed_book(parametres=[f"{name}={percent} %"])
    try:
        law = evaluate(entry, period)
    except InputError:
        with pytest.raises(InputError):
            evaluate(entry, period, rulebook=book)
        return
    reformed = evaluate(entry, period, rulebook=book)
    changed = {key for key in law.valeurs if law.valeurs[key] != reformed.valeurs[key]}
    assert changed <= _dependents(law_book, name), (name, changed - _dependents(law_book, name))
    # The steps that read the parameter show its new value (the figures may round to the same).
    for step in reformed.explication:
        if name in step.entrees:
            assert step.entrees[name] == Fraction(percent, 100)


def test_a_parameter_from_a_date_splits_its_values(tmp_path: Path) -> None:
    book = reformed_book(parametres=["taux_rattrapage_general=40 %@2026-01-01"])
    later = {key: value for key, value in EXAMPLE.items() if key != "annee_inventaire"}
    assert evaluate(later, "2023-2025", rulebook=book)["objectif_triennal"] == 111
    assert evaluate(later, "2026-2028", rulebook=book)["taux_rattrapage"] == Fraction(2, 5)
    change = book.reforme.modifications[0]
    assert (change.depuis.isoformat(), change.valeur) == ("2026-01-01", "40 %")


# --------------------------------------------------------------------------- a reform that changes nothing


NEUTRAL = """
parametres:
  - {nom: taux_rattrapage_general, valeur: "33 %", depuis: 2022-02-23, justification: "la valeur de la loi 3DS, inchangée"}
"""
COMMANDS = [
    ("evaluate", "commune_exemple.yaml"),
    ("evaluate", "commune_depliant_dhup.yaml"),
    ("evaluate-epci", "epci_depliant_dhup.yaml"),
    ("check-contract", "contrat_depliant_mutualisant.yaml"),
    ("history", "commune_historique.yaml"),
]


def _without_stamp(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _without_stamp(value) for key, value in data.items() if key != "reforme"}
    if isinstance(data, list):
        return [_without_stamp(item) for item in data]
    return data


@pytest.mark.parametrize(("command", "name"), COMMANDS)
def test_a_reform_that_changes_nothing_gives_the_same_bytes_but_its_stamp(tmp_path: Path, command: str, name: str) -> None:
    path = reform(tmp_path, NEUTRAL)
    for output_format in ("json", "text"):
        law = run(command, str(EXAMPLES / name), "--format", output_format)
        reformed = run(command, str(EXAMPLES / name), "--format", output_format, "--reforme", str(path))
        assert law[0] == reformed[0]
        if output_format == "json":
            stamped = json.loads(reformed[1])
            assert "reforme" in stamped
            assert json.dumps(_without_stamp(stamped), ensure_ascii=False, indent=2) + "\n" == law[1]
        else:
            banner, _, rest = reformed[1].partition("\n\n")
            assert banner.startswith("RÉFORME") and rest == law[1]


def test_a_batch_under_a_reform_says_so_on_every_row(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    code, _ = run("batch", str(EXAMPLES / "communes_inventaire.csv"), "-o", str(out), "--reforme", str(REFORM), "--jobs", "2")
    comment, *rows = out.read_text(encoding="utf-8").splitlines()
    assert code == 0
    assert comment.startswith("#") and "RÉFORME « Taux de rattrapage de droit commun porté à 40 % »" in comment
    assert rows[0].split(",")[3:5] == ["reforme", "reforme_empreinte"]
    assert all("Taux de rattrapage de droit commun porté à 40 %" in row for row in rows[1:])
    sequential = tmp_path / "s.csv"
    run("batch", str(EXAMPLES / "communes_inventaire.csv"), "-o", str(sequential), "--reforme", str(REFORM), "--jobs", "1")
    assert sequential.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_the_service_started_under_a_reform_stamps_every_answer() -> None:
    settings_ = Settings(reforme=str(REFORM))
    book = reformed_book(settings_.regles, settings_.reforme, settings_.parametres)
    answer = handlers.evaluate(book, EXAMPLE)
    assert answer["reforme"]["titre"] == "Taux de rattrapage de droit commun porté à 40 %"
    assert answer["objectif_triennal"] == 135
    assert build_catalogue(book, settings_).health["reforme"]["empreinte"] == book.reforme.empreinte
    assert Settings.from_environment.__func__  # the settings travel to each worker as JSON:
    assert json.loads(settings_.to_environment())["reforme"] == str(REFORM)


# --------------------------------------------------------------------------- rules added, replaced, neutralised


INTERMEDIATE = {**EXAMPLE, "logements_sociaux": 920, "residences_principales": 4000}  # 23 %: VII 1°, 50 %


def test_a_rule_neutralised_lets_the_general_rate_apply(tmp_path: Path) -> None:
    path = reform(tmp_path, """
    regles_neutralisees:
      - {id: L302-8.VII.1°, justification: lecture selon laquelle le 1° ne s'applique pas}
    """)
    assert evaluate(INTERMEDIATE)["taux_rattrapage"] == Fraction(1, 2)
    result = evaluate(INTERMEDIATE, rulebook=reformed_book(reforme=path))
    assert result["taux_rattrapage"] == Fraction(33, 100)
    assert "L302-8.VII.1°" not in result.explication.rule_ids()


def test_a_rule_replaced_keeps_its_citations_and_takes_the_fields_given(tmp_path: Path) -> None:
    path = reform(tmp_path, """
    regles_remplacees:
      - id: L302-8.VII.1°
        si: rattrapage_exige et ecart_retenu >= ecart_seuil_bas et ecart_retenu < ecart_seuil_haut
        justification: la borne haute exclue
    """)
    book = reformed_book(reforme=path)
    rule = book.rule("L302-8.VII.1°")
    assert rule.si.source.endswith("ecart_retenu < ecart_seuil_haut")
    assert [c.court for c in rule.citations] == ["L. 302-8, VII, 1° (al. 3)"]
    four_points = {**EXAMPLE, "logements_sociaux": 840, "residences_principales": 4000}  # 21 %: 4 points
    assert evaluate(four_points)["taux_rattrapage"] == Fraction(1, 2)
    assert evaluate(four_points, rulebook=book)["taux_rattrapage"] == Fraction(33, 100)


def test_a_rule_added_is_read_and_cited_like_the_rule_files(tmp_path: Path) -> None:
    path = reform(tmp_path, """
    regles_ajoutees:
      - article: L. 302-8
        id: reforme.VII.ecart-fort
        titre: Rattrapage porté à 45 % au-delà de dix points d'écart
        cite: [VII.al1]
        si: rattrapage_exige et ecart_retenu > 10
        alors: {taux_rattrapage: 45 %, situation_vii: '"premier_alinea"'}
        exception_de: L302-8.VII.al1
        explication: L'écart dépasse dix points ; l'objectif est porté à {taux_rattrapage} du déficit.
        justification: exemple d'une règle ajoutée
    """)
    book = reformed_book(reforme=path)
    assert [c.court for c in book.rule("reforme.VII.ecart-fort").citations] == ["L. 302-8, VII, al. 1"]
    leaflet = read_file(EXAMPLES / "commune_depliant_dhup.yaml")  # 12,5 points under its target
    result = evaluate(leaflet, rulebook=book)
    assert (result["logements_manquants"], result["objectif_triennal"]) == (500, 225)
    assert "reforme.VII.ecart-fort" in result.explication.rule_ids()
    assert result.texte().startswith("RÉFORME") and "règle ajoutée reforme.VII.ecart-fort" in result.texte()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("parametres: [{nom: taux_inconnu, valeur: 1, justification: j}]", "parametres[1].nom : paramètre inconnu"),
        ('parametres: [{nom: taux_rattrapage_general, valeur: "beaucoup", justification: j}]', "parametres[1].valeur"),
        ("parametres: [{nom: taux_rattrapage_general, valeur: 1}]", "parametres[1].justification : champ obligatoire"),
        ("parametres: [{nom: taux_rattrapage_general, valeur: 1, justification: j, depuis: hier}]", "parametres[1].depuis"),
        ("regles_neutralisees: [{id: L302-8.VII.9°, justification: j}]", "regles_neutralisees[1].id : règle inconnue"),
        ("regles_remplacees: [{id: L302-8.VII.1°, si: 'a et', justification: j}]", "regles_remplacees[1]"),
        ("regles_remplacees: [{id: L302-8.VII.1°, justification: j}]", "doit changer au moins un champ"),
        ("autre: 1", "autre : champ inconnu"),
        ("", "la réforme ne change rien"),
        ("regles_remplacees: [{id: L302-8.VII.1°, alors: {nimporte: '1'}, justification: j}]", "pas cohérent"),
    ],
)
def test_an_invalid_reform_is_a_french_error_naming_its_field(tmp_path: Path, text: str, message: str) -> None:
    path = reform(tmp_path, text)
    with pytest.raises(ReformError) as raised:
        reformed_book(reforme=path)
    assert message in str(raised.value)
    assert "reforme.yaml" in str(raised.value)
    code, _ = run("evaluate", str(EXAMPLES / "commune_exemple.yaml"), "--reforme", str(path))
    assert code == 1


def test_an_alias_in_a_reform_is_refused(tmp_path: Path) -> None:
    path = reform(tmp_path, "parametres: [&p {nom: taux_rattrapage_general, valeur: 1, justification: j}, *p]")
    with pytest.raises(ReformError, match="alias"):
        reformed_book(reforme=path)


@pytest.mark.parametrize(("name", "text"), [("reforme.json", "[" * 100_000 + "]" * 100_000), ("reforme.yaml", "titre: [" * 50 + "]" * 50)])
def test_a_reform_nested_beyond_reason_is_refused_naming_its_file(tmp_path: Path, name: str, text: str) -> None:
    # A user's file: refused like any document (bounded depth), never a RecursionError.
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReformError, match=f"{name}.*trop imbriqué"):
        reformed_book(reforme=path)
    code, _ = run("evaluate", str(EXAMPLES / "commune_exemple.yaml"), "--reforme", str(path))
    assert code == 1


@pytest.mark.parametrize("pair", ["taux_rattrapage_general", "=3", "taux_rattrapage_general=40 %@demain"])
def test_a_malformed_parameter_option_is_refused(pair: str) -> None:
    code, _ = run("evaluate", str(EXAMPLES / "commune_exemple.yaml"), "--parametre", pair)
    assert code == 1


# --------------------------------------------------------------------------- another rules folder


def test_another_rules_folder_is_checked_and_stamped(tmp_path: Path) -> None:
    folder = tmp_path / "mes_regles"
    shutil.copytree(Path(str(rules_root())), folder, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    book = reformed_book(regles=folder)
    assert book.reforme.titre == "Règles du dossier mes_regles" and len(book.reforme.empreinte) == 64
    assert evaluate(EXAMPLE, rulebook=book)["objectif_triennal"] == 111
    article = folder / "cch" / "L302-8" / "2022-02-23.yaml"
    article.write_text(article.read_text(encoding="utf-8").replace('valeur: "33 %"', 'valeur: "40 %"'), encoding="utf-8")
    assert evaluate(EXAMPLE, rulebook=reformed_book(regles=folder))["objectif_triennal"] == 135
    code, text = run("evaluate", str(EXAMPLES / "commune_exemple.yaml"), "--regles", str(folder))
    assert code == 0 and "« Règles du dossier mes_regles »" in text.splitlines()[0]
    article.write_text("regles: [\n", encoding="utf-8")
    code, _ = run("evaluate", str(EXAMPLES / "commune_exemple.yaml"), "--regles", str(folder))
    assert code == 3


def test_a_missing_rules_folder_is_an_input_error(tmp_path: Path) -> None:
    code, _ = run("evaluate", str(EXAMPLES / "commune_exemple.yaml"), "--regles", str(tmp_path / "rien"))
    assert code == 1


# --------------------------------------------------------------------------- a reform on an inventory


def test_compare_the_example_reform_on_the_example_inventory(tmp_path: Path) -> None:
    chart = tmp_path / "variations.svg"
    code, output = run("compare", str(EXAMPLES / "communes_inventaire.csv"), "--reforme", str(REFORM),
                       "--format", "json", "--graphique", str(chart))
    data = json.loads(output)
    jsonschema.validate(data, schema("comparaison"))
    assert code == 0 and data["avant"]["reforme"] is None
    assert data["apres"]["reforme"]["titre"] == "Taux de rattrapage de droit commun porté à 40 %"
    # The same totals as the two batches give, each on its own.
    for side, book in (("avant", load_rulebook()), ("apres", reformed_book(reforme=REFORM))):
        rows = tmp_path / f"{side}.csv"
        main(["batch", str(EXAMPLES / "communes_inventaire.csv"), "-o", str(rows), "--format", "json"]
             + (["--reforme", str(REFORM)] if side == "apres" else []), stdout=io.StringIO())
        expected = sum(json.loads(line)["objectif_triennal"] or 0 for line in rows.read_text().splitlines())
        assert data["total"][side] == expected
    assert data["total"]["difference"] == data["total"]["apres"] - data["total"]["avant"] > 0
    # Only the communes under VII al. 1 change; those under its 1° and 2° (50 %, 100 %) do not.
    for commune in data["communes"]:
        if commune["regime_avant"] != "L. 302-8, VII, al. 1":
            assert commune["difference"] in (0, None), commune
    assert data["departements"]["99"]["difference"] == data["total"]["difference"]
    svg = chart.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Taux de rattrapage de droit commun porté à 40 %" in svg


def test_compare_lists_the_communes_whose_regime_changes(tmp_path: Path) -> None:
    path = reform(tmp_path, """
    regles_neutralisees:
      - {id: L302-8.VII.1°, justification: lecture selon laquelle le 1° ne s'applique pas}
    """)
    code, output = run("compare", str(EXAMPLES / "communes_inventaire.csv"), "--reforme", str(path), "--format", "json")
    changed = json.loads(output)["changements_de_regime"]
    assert code == 0 and changed
    assert {c["regime_avant"] for c in changed} == {"L. 302-8, VII, 1° (al. 3)"}
    assert {c["regime_apres"] for c in changed} == {"L. 302-8, VII, al. 1"}
    assert all(c["difference"] <= 0 for c in changed)


def test_compare_needs_two_sides() -> None:
    code, _ = run("compare", str(EXAMPLES / "communes_inventaire.csv"))
    assert code == 1


def test_the_readmes_chart_is_the_commands(tmp_path: Path) -> None:
    """docs/images/reforme_rattrapage_40.svg, shown in the README, is what the command draws today."""
    chart = tmp_path / "c.svg"
    run("compare", str(EXAMPLES / "communes_inventaire.csv"), "--reforme", str(REFORM), "--graphique", str(chart))
    shipped = Path(__file__).parent.parent / "docs" / "images" / "reforme_rattrapage_40.svg"
    assert chart.read_text(encoding="utf-8") == shipped.read_text(encoding="utf-8"), (
        "régénérer : cms-law compare examples/communes_inventaire.csv --reforme examples/reforme_rattrapage_40.yaml"
        " --graphique docs/images/reforme_rattrapage_40.svg"
    )


def test_cases_run_under_a_reform_say_so_and_fail_where_it_changes_the_law(tmp_path: Path) -> None:
    out = io.StringIO()
    code = main(["test", str(Path(__file__).parent / "cas" / "L302-8_VII_rattrapage.yaml"), "--reforme", str(REFORM),
                 "--format", "json"], stdout=out)
    data = json.loads(out.getvalue())
    jsonschema.validate(data, schema("resultat-test"))
    assert code == 1 and data["reforme"]["titre"] == "Taux de rattrapage de droit commun porté à 40 %"
    failed = {c["id"] for f in data["fichiers"] for c in f["cas"] if not c["reussi"]}
    assert "vii-al1-ecart-superieur-a-4-points" in failed
    assert "vii-1-ecart-exactement-2-points-taux-25" not in failed  # the 1° (50 %) is not changed


def test_a_contracts_table_under_a_reform_names_it_on_every_row() -> None:
    code, output = run("check-contract", str(EXAMPLES / "contrat_depliant_abaissant.yaml"), "--format", "csv",
                       "--reforme", str(REFORM))
    header, *rows = output.splitlines()
    assert header.endswith(",reforme,reforme_empreinte")
    assert rows and all("Taux de rattrapage de droit commun porté à 40 %" in row for row in rows)
