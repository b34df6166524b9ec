"""The law through time: versions that tile the calendar, the law read at each date, diffs."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from typing import Any

import pytest
import yaml

from cms_law import InputError, RuleFileError, evaluate, load_rulebook
from cms_law.cli import EXIT_INPUT, main
from cms_law.evaluator import period_of_date

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


def test_each_rule_has_at_most_one_version_a_day_and_no_gap_between_two_versions() -> None:
    book = load_rulebook()
    days = _days_in_force([(rule.id, rule.validite) for rule in book.regles])
    for rule_id, in_force in days.items():
        expected = (in_force[-1] - in_force[0]).days + 1
        assert len(in_force) == expected, f"{rule_id} : lacune entre le {in_force[0]} et le {in_force[-1]}"


def test_each_parameter_has_at_most_one_version_a_day_and_no_gap_between_two_versions() -> None:
    book = load_rulebook()
    days = _days_in_force([(parameter.nom, parameter.validite) for parameter in book.parametres])
    for name, in_force in days.items():
        expected = (in_force[-1] - in_force[0]).days + 1
        assert len(in_force) == expected, f"{name} : lacune entre le {in_force[0]} et le {in_force[-1]}"


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
    assert main(["evaluate", str(commune), "--date", "2021-06-01", "--period", "2020-2022"], stdout=out) == EXIT_INPUT
