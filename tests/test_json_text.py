"""JSON text: the fast writer gives the standard module's bytes, or leaves the writing to it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cms_law import evaluate
from cms_law.contract import check_contract
from cms_law.epci import evaluate_epci
from cms_law.inputs import read_file
from cms_law.model.views import ResultData, _plain, to_json
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


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _example_results() -> list[tuple[str, Any]]:
    results: list[tuple[str, Any]] = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        if path.name.startswith("commune_") and path.name != "commune_historique.yaml":
            results.append((path.name, evaluate(read_file(path), pourquoi_pas=True)))
        elif path.name.startswith("epci_"):
            results.append((path.name, evaluate_epci(read_file(path))))
        elif path.name.startswith("contrat_"):
            results.append((path.name, check_contract(read_file(path))))
    return results


@pytest.mark.parametrize(("name", "result"), _example_results(), ids=lambda value: value if isinstance(value, str) else "")
def test_a_results_data_is_plain_so_the_fast_writer_may_skip_walking_it(name: str, result: Any) -> None:
    # ResultData tells to_json not to walk the data for floats: hold every kind of result to it,
    # with the explanation, the derogations and why rules did not apply.
    data = result.as_dict()
    assert type(data) is ResultData
    assert _plain(dict(data)), name
    assert result.to_json() == standard(dict(data))
