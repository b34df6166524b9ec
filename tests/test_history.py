"""The law through time: versions that tile the calendar, the law read at each date, diffs."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest

from cms_law import RuleFileError, load_rulebook

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
