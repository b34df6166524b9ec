"""JSON text: the fast writer gives the standard module's bytes, or leaves the writing to it."""

from __future__ import annotations

import json

import pytest

from cms_law.model.views import to_json
from cms_law.schemas import NAMES, schema


def standard(data: object, indent: int | None = 2) -> str:
    return json.dumps(data, ensure_ascii=False, indent=indent)


@pytest.mark.parametrize("name", sorted(NAMES))
def test_every_schema_is_written_as_the_standard_module_writes_it(name: str) -> None:
    # The schemas are the outputs that hold binary numbers (their bounds) and deep nesting.
    assert to_json(schema(name)) == standard(schema(name))


@pytest.mark.parametrize("data", [
    {"nom": "Saint-Étienne", "vide": {}, "liste": [], "imbriqué": [{"a": [1, None, True]}]},
    {"entier au-delà de 64 bits": 2**70},
    {1: "clé qui n'est pas un texte"},
    {"surrogate": "\udcff"},
    [0.25, 1e-05, 1e16, -0.0],
])
def test_what_the_fast_writer_refuses_or_writes_differently_is_still_standard(data: object) -> None:
    assert to_json(data) == standard(data)
    assert to_json(data, indent=None) == standard(data, indent=None)
