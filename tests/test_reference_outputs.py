"""Every result stays byte for byte what it was: legal cases, examples and a 10 000-commune batch.

An engine change (a faster compiler, another expression evaluator) must not change one byte of
what a user gets. The reference copies were written once by ``tests/reference/outputs.py``; when
the law encoded legitimately changes, that script rewrites them (``--ecrire``) and the difference
is reviewed like any other change of results (``tests/reference/README.md``).
"""

from __future__ import annotations

import difflib
import functools
import json
from pathlib import Path
from typing import Any

import pytest

from reference.outputs import BLOCK_ROWS, batch_outputs, case_outputs, example_outputs, read_references

REFERENCES, BATCH = read_references()
CASES = list(case_outputs())
REGENERATE = "si la loi encodée a changé : .venv/bin/python tests/reference/outputs.py --ecrire, puis relire la différence"


def _difference(expected: str, actual: str) -> str:
    """Where two outputs part: the first differing JSON path, or the first lines of a diff."""
    try:
        return _first_json_difference(json.loads(expected), json.loads(actual), "")
    except ValueError:
        lines = difflib.unified_diff(expected.splitlines(), actual.splitlines(), "référence", "obtenu", lineterm="")
        return "\n".join(list(lines)[:40])


def _first_json_difference(expected: Any, actual: Any, path: str) -> str:
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in [*expected, *(k for k in actual if k not in expected)]:
            if expected.get(key, "<absent>") != actual.get(key, "<absent>"):
                return _first_json_difference(expected.get(key, "<absent>"), actual.get(key, "<absent>"), f"{path}.{key}")
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for index, (a, b) in enumerate(zip(expected, actual)):
            if a != b:
                return _first_json_difference(a, b, f"{path}[{index}]")
    return f"{path or 'racine'} : référence {json.dumps(expected, ensure_ascii=False)[:300]}, obtenu {json.dumps(actual, ensure_ascii=False)[:300]}"


def _check(key: str, actual: str) -> None:
    assert key in REFERENCES, f"{key} : aucune sortie de référence ({REGENERATE})"
    expected = REFERENCES[key]
    assert actual == expected, f"{key} a changé :\n{_difference(expected, actual)}\n({REGENERATE})"


@functools.cache
def _examples() -> tuple[tuple[str, str], ...]:
    return tuple(example_outputs())


def test_every_output_has_a_reference_and_every_reference_an_output() -> None:
    keys = {key for key, _ in CASES} | {key for key, _ in _examples()}
    assert keys == set(REFERENCES), (
        f"sans référence : {sorted(keys - set(REFERENCES))[:5]} ; plus produites : {sorted(set(REFERENCES) - keys)[:5]}"
    )


@pytest.mark.parametrize("key,output", CASES, ids=[key for key, _ in CASES])
def test_legal_case_output_is_unchanged(key: str, output: str) -> None:
    _check(key, output)


def test_example_outputs_are_unchanged() -> None:
    for key, output in _examples():
        _check(key, output)


def test_fixed_seed_batch_of_10000_communes_is_unchanged(tmp_path: Path) -> None:
    found = batch_outputs(tmp_path)
    assert found["entree"] == BATCH["entree"], "les communes synthétiques ont changé (benchmarks/synthetic.py)"
    for output_format in ("csv", "json"):
        expected, actual = BATCH[output_format], found[output_format]
        where = f"lot de {actual['lignes']} lignes en {output_format}"
        assert (actual["code"], actual["lignes"]) == (expected["code"], expected["lignes"]), where
        assert actual["erreurs"] == expected["erreurs"], f"{where}, fichier d'erreurs :\n{_difference(expected['erreurs'], actual['erreurs'])}"
        assert actual["extrait"] == expected["extrait"], f"{where}, premières lignes :\n{_difference(expected['extrait'], actual['extrait'])}"
        changed = [index for index, (a, b) in enumerate(zip(expected["blocs"], actual["blocs"])) if a != b]
        assert not changed, (
            f"{where} : lignes {', '.join(f'{i * BLOCK_ROWS + 1}-{(i + 1) * BLOCK_ROWS}' for i in changed[:5])}"
            f" changées (tests/reference/outputs.py --vider DOSSIER écrit les sorties entières) ; {REGENERATE}"
        )
