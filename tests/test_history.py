"""The law through time: versions that tile the calendar, the law read at each date, diffs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from collections import defaultdict
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cms_law import InputError, RuleBook, RuleFileError, evaluate, load_rulebook
from cms_law.cli import EXIT_INPUT, EXIT_USAGE, main
from cms_law.evaluator import period_of_date
from cms_law.history import commune_history, diff
from conftest import EXAMPLES

FIRST_DAY, LAST_DAY = dt.date(2002, 1, 1), dt.date(2031, 12, 31)
DAYS = [FIRST_DAY + dt.timedelta(days=n) for n in range((LAST_DAY - FIRST_DAY).days + 1)]


def test_every_day_from_2002_to_2031_falls_under_exactly_one_regime() -> None:
    regimes = load_rulebook().regimes
    for day in DAYS:
        in_force = [regime.id for regime in regimes if regime.validite.contains(day)]
        assert len(in_force) == 1, f"{day} : régimes {in_force}"


@pytest.mark.parametrize("article", ["L. 302-5", "L. 302-8"])
def test_every_day_from_2002_to_2031_has_exactly_one_version_of_each_encoded_article(article: str) -> None:
    versions = [v for v in load_rulebook().articles if v.article == article]
    for day in DAYS:
        in_force = [v.fichier for v in versions if v.validite.contains(day)]
        assert len(in_force) == 1, f"{article}, {day} : versions {in_force}"


def _days_in_force(items: list[Any]) -> dict[str, list[dt.date]]:
    """For each id, every day of the range on which one of its versions is in force."""
    days: dict[str, list[dt.date]] = defaultdict(list)
    for day in DAYS:
        counted: dict[str, int] = defaultdict(int)
        for key, validity in items:
            if validity.contains(day):
                counted[key] += 1
        for key, count in counted.items():
            assert count == 1, f"{key} : {count} versions en vigueur le {day}"
            days[key].append(day)
    return days


@pytest.mark.parametrize("kind", ["regles", "parametres"])
def test_each_rule_and_parameter_has_at_most_one_version_a_day_and_no_gap_between_two(kind: str) -> None:
    book = load_rulebook()
    items = [(getattr(item, "id", None) or item.nom, item.validite) for item in getattr(book, kind)]
    for key, in_force in _days_in_force(items).items():
        expected = (in_force[-1] - in_force[0]).days + 1
        assert len(in_force) == expected, f"{key} : lacune entre le {in_force[0]} et le {in_force[-1]}"


def test_a_parameter_set_by_two_versions_in_force_on_the_same_day_is_refused(rules_copy) -> None:  # type: ignore[no-untyped-def]
    def set_period_length_again(data: dict[str, Any]) -> None:
        data["parametres"]["duree_periode"] = {
            "titre": "durée d'une période triennale, en années",
            "type": "entier",
            "cite": ["I.al1"],
            "valeurs": [{"depuis": "2022-02-23", "valeur": 3}],
        }

    with pytest.raises(RuleFileError) as raised:
        rules_copy("cch/L302-5/2022-02-23.yaml", set_period_length_again)
    assert "duree_periode" in str(raised.value)


def test_two_versions_of_an_article_in_force_on_the_same_day_are_refused(rules_copy) -> None:  # type: ignore[no-untyped-def]
    def run_late(data: dict[str, Any]) -> None:
        data["version"]["fin"] = "2017-02-15"

    with pytest.raises(RuleFileError) as raised:
        rules_copy("cch/L302-8/2013-01-19.yaml", run_late)
    assert "chevauche" in str(raised.value)


def test_overlapping_regimes_are_refused(rules_copy) -> None:  # type: ignore[no-untyped-def]
    def overlap(data: dict[str, Any]) -> None:
        data["regimes"][0]["fin"] = "2013-06-30"

    with pytest.raises(RuleFileError) as raised:
        rules_copy("lois.yaml", overlap)
    assert "se chevauchent" in str(raised.value)


# --------------------------------------------------------------------------- the law as of a date

#: The ten periods of INDEX.md, § 4 (« par tranche de trois ans, à compter du 1er janvier 2002 »)
#: and the regime whose law each one is read under (its first day; HISTORY.md).
PERIODS = {
    "2002-2004": "SRU", "2005-2007": "SRU", "2008-2010": "SRU", "2011-2013": "SRU",
    "2014-2016": "Duflot", "2017-2019": "Duflot", "2020-2022": "LEC",
    "2023-2025": "3DS", "2026-2028": "3DS", "2029-2031": "3DS",
}  # fmt: skip

#: A commune described for every regime: the SRU inputs (Île-de-France, agglomeration), the
#: 2013-2022 ones (conditions met) and the 3DS ones; 16 % of social housing.
COMMUNE = {
    "nom": "Commune de toutes les périodes",
    "population": 12000,
    "unite_urbaine_paris": False,
    "agglomeration_ou_epci_eligible": True,
    "ile_de_france": False,
    "agglomeration_eligible": True,
    "conditions_assujettissement": True,
    "territoire_taux_reduit": False,
    "residences_principales": 5000,
    "logements_sociaux": 800,
    "plh": True,
}


def test_the_rules_put_the_first_and_last_day_of_each_year_in_its_triennial_period() -> None:
    book = load_rulebook()
    for period in PERIODS:
        start, end = (int(year) for year in period.split("-"))
        for year in range(start, end + 1):
            for day in (dt.date(year, 1, 1), dt.date(year, 12, 31)):
                assert period_of_date(book, day) == period, day


def test_evaluating_as_of_a_date_evaluates_its_period_under_the_law_that_governed_it() -> None:
    as_of = evaluate(COMMUNE, date="2021-06-01")
    assert str(as_of.periode) == "2020-2022" and as_of.regime.id == "LEC"
    assert as_of.as_dict() | {"explication": None} == evaluate(COMMUNE, "2020-2022").as_dict() | {"explication": None}
    # The 3DS law in force on 2022-06-01 does not govern 2020-2022, read on 1 January 2020.
    assert evaluate(COMMUNE, date="2022-06-01").regime.id == "LEC"
    assert evaluate(COMMUNE, date=dt.date(2023, 1, 1)).regime.id == "3DS"


def test_the_explanation_says_which_period_the_date_falls_in_and_cites_the_rule() -> None:
    # Under the loi n° 2013-61 the target rate is given (the rule granting 20 % is not available).
    commune = dict(COMMUNE, taux_cible="25 %")
    steps = {step.regle: step for step in evaluate(commune, date="2015-03-10").explication}
    step = steps["L302-8.I.periode-de-la-date"]
    assert "10 mars 2015" in step.texte and "2014-2016" in step.texte
    assert step.citations and step.citations[0].version.loi is not None
    assert step.citations[0].version.loi.id == "loi-2013-61"
    assert "L302-8.I.periode-de-la-date" not in evaluate(commune, "2014-2016").explication.rule_ids()


@pytest.mark.parametrize(
    ("periode", "date", "champ"),
    [
        ("2020-2022", "2021-06-01", "date"),
        (None, "2021-02-30", "date"),
        (None, "2001-06-01", "date"),
        (None, "1999-06-01", "date"),
    ],
)
def test_a_wrong_date_is_refused_naming_the_field(periode: str | None, date: str, champ: str) -> None:
    with pytest.raises(InputError) as raised:
        evaluate(COMMUNE, periode, date=date)
    assert champ in raised.value.champs


def test_cms_law_evaluate_as_of_a_date(tmp_path) -> None:  # type: ignore[no-untyped-def]
    commune = tmp_path / "commune.yaml"
    commune.write_text(yaml.safe_dump(COMMUNE, allow_unicode=True), encoding="utf-8")
    out = io.StringIO()
    assert main(["evaluate", str(commune), "--date", "2021-06-01", "--format", "json"], stdout=out) == 0
    data = json.loads(out.getvalue())
    assert (data["periode"], data["version_loi"], data["objectif_triennal"]) == ("2020-2022", "LEC", 225)
    assert main(["evaluate", str(commune), "--date", "2021-06-01", "--period", "2020-2022"], stdout=out) == EXIT_USAGE


# --------------------------------------------------------------------------- what changed between two dates


def test_the_diff_between_22_and_23_february_2022_shows_the_3ds_reform() -> None:
    changes = diff("2022-02-22", "2022-02-23")
    assert (changes.regime_avant.id, changes.regime_apres.id) == ("LEC", "3DS")  # type: ignore[union-attr]
    by_id = {(c.nature, c.id): c for c in changes.changements}
    # VII: the 50 % and 100 % tiers by gap to the target rate, and VIII for newly subject communes.
    for rule_id in ("L302-8.VII.1°", "L302-8.VII.2°", "L302-8.VIII.premiere-periode", "L302-8.III.plai-minimum"):
        assert by_id[("regle", rule_id)].changement == "ajout"
    for name, value in (("taux_rattrapage_ecart_intermediaire", "0.5"), ("taux_rattrapage_ecart_faible", "1")):
        added = by_id[("parametre", name)]
        assert added.changement == "ajout" and added.avant is None and added.apres["valeur"] == value  # type: ignore[index]
    # The general share of the deficit: 50 % for 2020-2022, 33 % under 3DS, now cited to VII, al. 1.
    rate = by_id[("parametre", "taux_rattrapage_general")]
    assert rate.changement == "modification" and rate.aspects == ("valeur",)
    assert (rate.avant["valeur"], rate.apres["valeur"]) == ("0.5", "0.33")  # type: ignore[index]
    assert rate.avant["citations"][0]["loi"] == "loi n° 2017-86 du 27 janvier 2017"  # type: ignore[index]
    assert rate.apres["citations"][0]["citation"] == "L. 302-8, VII, al. 1"  # type: ignore[index]
    general = by_id[("regle", "L302-8.VII.al1")]
    assert general.changement == "modification" and "citations" in general.aspects
    # The target-rate thresholds are applied again from the text, not asked of the user.
    assert by_id[("regle", "L302-5.non-soumise-conditions")].changement == "suppression"
    text = changes.texte().replace("\u202f", " ").replace("\xa0", " ")  # babel's French spaces
    assert "taux_rattrapage_general" in text and "50 % → 33 %" in text and "+ L302-8.VII.1°" in text


def test_the_diff_across_2013_shows_the_new_target_rate_and_catch_up_share() -> None:
    by_id = {(c.nature, c.id): c for c in diff("2012-06-01", "2014-06-01").changements}
    target = by_id[("parametre", "taux_cible_normal")]
    assert (target.avant["valeur"], target.apres["valeur"]) == ("0.2", "0.25")  # type: ignore[index]
    share = by_id[("parametre", "taux_rattrapage_general")]
    assert (share.avant["valeur"], share.apres["valeur"]) == ("0.15", "0.25")  # type: ignore[index]
    assert by_id[("parametre", "seuil_population_ile_de_france")].changement == "suppression"


def test_no_difference_within_a_version() -> None:
    # After L. 302-7's version of 16 February 2025, the latest text stored.
    changes = diff(dt.date(2025, 3, 1), dt.date(2030, 1, 1))
    assert changes.changements == () and changes.articles == ()
    assert "Aucune différence" in changes.texte()


def _change_days(book: RuleBook) -> list[dt.date]:
    """Every day on which something of the encoded law starts or stops being in force."""
    days = set()
    for validity in [r.validite for r in book.regimes] + [r.validite for r in book.regles] + [
        p.validite for p in book.parametres
    ]:
        days.add(validity.debut)
        if validity.fin is not None:
            days.add(validity.fin + dt.timedelta(days=1))
    days |= {value.depuis for parameter in book.parametres for value in parameter.valeurs}
    return sorted(days)


@st.composite
def two_days_of_one_version(draw: st.DrawFn) -> tuple[dt.date, dt.date]:
    bounds = [day for day in _change_days(load_rulebook()) if FIRST_DAY <= day <= LAST_DAY]
    edges = [FIRST_DAY, *bounds, LAST_DAY + dt.timedelta(days=1)]
    index = draw(st.integers(0, len(edges) - 2))
    start, end = edges[index], edges[index + 1] - dt.timedelta(days=1)
    days = st.dates(min_value=start, max_value=end)
    return draw(days), draw(days)


@settings(max_examples=60, deadline=None)
@given(days=two_days_of_one_version())
def test_two_days_of_one_version_interval_have_the_same_law(days: tuple[dt.date, dt.date]) -> None:
    changes = diff(*days)
    assert changes.changements == () and changes.regime_avant == changes.regime_apres


@st.composite
def any_commune(draw: st.DrawFn) -> dict[str, Any]:
    residences = draw(st.integers(1, 40000))
    commune = dict(
        COMMUNE,
        population=draw(st.integers(0, 100000)),
        ile_de_france=draw(st.booleans()),
        agglomeration_eligible=draw(st.booleans()),
        conditions_assujettissement=draw(st.booleans()),
        unite_urbaine_paris=draw(st.booleans()),
        territoire_taux_reduit=draw(st.booleans()),
        residences_principales=residences,
        logements_sociaux=draw(st.integers(0, residences)),
        plh=draw(st.booleans()),
        exemptee=draw(st.booleans()),
    )
    return commune


#: Periods whose first days fall in one version interval (nothing of the law changes between them).
SAME_VERSION = [("2002-2004", "2005-2007", "2008-2010", "2011-2013"), ("2023-2025", "2026-2028", "2029-2031")]


@settings(max_examples=60, deadline=None)
@given(commune=any_commune(), periods=st.sampled_from(SAME_VERSION).flatmap(lambda p: st.tuples(*[st.sampled_from(p)] * 2)))
def test_for_any_commune_two_periods_read_in_one_version_interval_give_the_same_figures(
    commune: dict[str, Any], periods: tuple[str, str]
) -> None:
    first, second = (evaluate(commune, period) for period in periods)
    assert diff(first.periode.date_reference, second.periode.date_reference).changements == ()
    assert first.regime == second.regime
    different = {"annee_inventaire_requise", "periode_de_la_date_debut", "periode_de_la_date_fin"}
    assert {k: v for k, v in first.valeurs.items() if k not in different} == {
        k: v for k, v in second.valeurs.items() if k not in different
    }
    assert first.origines == second.origines


# --------------------------------------------------------------------------- a commune period after period

#: The example commune's objectives, worked by hand: SRU 15 % of the gap to 20 %; loi n° 2013-61
#: 25 % then 33 % of the dwellings missing to 25 %; loi n° 2017-86 50 %; 3DS 33 % (gap > 4 points).
EXAMPLE_HISTORY = {
    "2002-2004": ("SRU", 620, 93),  # 20 % × 6 900 = 1 380 − 760 = 620 ; 15 % → 93
    "2005-2007": ("SRU", 580, 87),  # 1 430 − 850 ; 87
    "2008-2010": ("SRU", 500, 75),  # 1 480 − 980 ; 75
    "2011-2013": ("SRU", 400, 60),  # 1 530 − 1 130 ; 60
    "2014-2016": ("Duflot", 690, 173),  # 1 950 − 1 260 = 690 ; 25 % = 172,5 → 173
    "2017-2019": ("Duflot", 568, 188),  # 1 987,5 → 1 988 − 1 420 = 568 ; 33 % = 187,44 → 188
    "2020-2022": ("LEC", 453, 227),  # 2 012,5 → 2 013 − 1 560 = 453 ; 50 % = 226,5 → 227
    "2023-2025": ("3DS", 336, 111),  # 2 050 − 1 714 = 336 ; écart 4,1 points, 33 % = 110,88 → 111
}


def example_commune() -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / "commune_historique.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_a_commune_across_every_period_under_the_successive_laws() -> None:
    commune = example_commune()
    commune["periodes"]["2026-2028"] = {"residences_principales": 8300, "logements_sociaux": 1880}
    commune["periodes"]["2029-2031"] = {"residences_principales": 8400, "logements_sociaux": 2050}
    history = commune_history(commune, "2002-2004", "2029-2031")
    assert history.complete
    found = {r.periode: (r.regime.id, r.valeurs["logements_manquants"], r.valeurs["objectif_triennal"]) for r in history.periodes}
    assert found == {
        **EXAMPLE_HISTORY,
        "2026-2028": ("3DS", 195, 98),  # 2 075 − 1 880 = 195 ; écart 2,35 points → 50 % = 97,5 → 98
        "2029-2031": ("3DS", 50, 50),  # 2 100 − 2 050 = 50 ; écart 0,6 point → 100 %
    }
    assert [r.periode for r in history.periodes] == list(PERIODS)
    assert {r.periode: r.regime.id for r in history.periodes} == PERIODS


def test_the_history_defaults_from_the_first_period_to_the_rules_default_one() -> None:
    history = commune_history(example_commune())
    assert [r.periode for r in history.periodes] == list(EXAMPLE_HISTORY)


def test_a_period_whose_data_the_law_of_the_time_rejects_is_kept_with_its_problems() -> None:
    commune = example_commune()
    del commune["periodes"]["2014-2016"]["taux_cible"]  # required under the loi n° 2013-61
    history = commune_history(commune)
    failed = [r for r in history.periodes if r.erreurs]
    assert [r.periode for r in failed] == ["2014-2016"] and not history.complete
    assert failed[0].erreurs[0].champ == "taux_cible" and failed[0].valeurs["objectif_triennal"] is None
    assert "2014-2016 — taux_cible" in history.texte()


@pytest.mark.parametrize(
    ("first", "last", "champ"),
    [("2003-2005", None, "--from"), (None, "1999-2001", "--to"), ("2014-2016", "2011-2013", "--to")],
)
def test_wrong_bounds_are_refused(first: str | None, last: str | None, champ: str) -> None:
    with pytest.raises(InputError) as raised:
        commune_history(example_commune(), first, last)
    assert champ in raised.value.champs


def test_data_for_a_period_that_is_not_one_is_refused() -> None:
    commune = example_commune()
    commune["periodes"]["2015-2017"] = {"logements_sociaux": 1}
    with pytest.raises(InputError) as raised:
        commune_history(commune)
    assert "periodes.2015-2017" in raised.value.champs


def test_cms_law_history_table_csv_json_and_chart(tmp_path) -> None:  # type: ignore[no-untyped-def]
    source, chart = EXAMPLES / "commune_historique.yaml", tmp_path / "objectifs.svg"
    out = io.StringIO()
    assert main(["history", str(source), "--chart", str(chart)], stdout=out) == 0
    lines = out.getvalue().splitlines()
    assert any(line.startswith("2017-2019") and "Duflot" in line and line.rstrip().endswith("188") for line in lines)
    out = io.StringIO()
    assert main(["history", str(source), "--format", "csv", "--from", "2020-2022"], stdout=out) == 0
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["periode"], r["version_loi"], r["objectif_triennal"]) for r in rows] == [
        ("2020-2022", "LEC", "227"),
        ("2023-2025", "3DS", "111"),
    ]
    out = io.StringIO()
    assert main(["history", str(source), "--format", "json", "--to", "2005-2007"], stdout=out) == 0
    assert [p["objectif_triennal"] for p in json.loads(out.getvalue())["periodes"]] == [93, 87]
    svg = ET.parse(chart).getroot()
    bars = [e for e in svg.iter("{http://www.w3.org/2000/svg}rect") if e.find("{http://www.w3.org/2000/svg}title") is not None]
    assert [bar.findtext("{http://www.w3.org/2000/svg}title") for bar in bars][-1] == "2023-2025 : 111 (3DS)"
    assert len(bars) == len(EXAMPLE_HISTORY)
    out = io.StringIO()
    assert main(["history", str(source), "--to", "2026-2028"], stdout=out) == EXIT_INPUT
    assert "2026-2028 — residences_principales" in out.getvalue()


def test_cms_law_diff_in_text_and_json() -> None:
    out = io.StringIO()
    assert main(["diff", "2021-06-01", "2023-06-01"], stdout=out) == 0
    assert "Règles ajoutées" in out.getvalue() and "L302-8.VII.2°" in out.getvalue()
    out = io.StringIO()
    assert main(["diff", "2022-02-22", "2022-02-23", "--format", "json"], stdout=out) == 0
    data = json.loads(out.getvalue())
    assert (data["regime_avant"]["id"], data["regime_apres"]["id"]) == ("LEC", "3DS")
    assert {"nature": "parametre", "id": "taux_rattrapage_general"}.items() <= next(
        c for c in data["changements"] if c["id"] == "taux_rattrapage_general"
    ).items()
    assert main(["diff", "2022-02-30", "2023-01-01"], stdout=io.StringIO()) == EXIT_USAGE


def test_the_chart_of_the_documentation_is_the_one_cms_law_draws_today() -> None:
    shown = Path(__file__).parent.parent / "docs" / "_static" / "historique_commune.svg"
    assert shown.read_text(encoding="utf-8") == commune_history(example_commune()).svg(), (
        "regenerate it: cms-law history examples/commune_historique.yaml --chart docs/_static/historique_commune.svg"
    )


def test_cms_law_rules_says_which_version_sets_each_value_of_a_parameter() -> None:
    out = io.StringIO()
    assert main(["rules", "--format", "json"], stdout=out) == 0
    versions = [p for p in json.loads(out.getvalue())["parametres"] if p["nom"] == "taux_rattrapage_general"]
    assert [(p["validite"]["debut"], [v["valeur"] for v in p["valeurs"]]) for p in versions] == [
        ("2000-12-14", ["0.15"]),
        ("2013-01-19", ["0.25", "0.33"]),
        ("2017-01-29", ["0.33", "0.5"]),
        ("2022-02-23", ["0.33"]),
    ]


def test_the_diff_across_february_2025_shows_the_new_text_of_l302_7() -> None:
    changes = diff(dt.date(2025, 1, 1), dt.date(2025, 3, 1))
    assert changes.changements == ()
    assert [(before.fichier, after.fichier) for _, before, after in changes.articles] == [
        ("cch/L302-7/2022-02-23.yaml", "cch/L302-7/2025-02-16.yaml")
    ]
