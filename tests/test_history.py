"""The law through time: versions that tile the calendar, the law read at each date, diffs."""

from __future__ import annotations

from typing import Any

import pytest

from cms_law import RuleFileError


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
