"""Loading the declarative legal test cases of ``tests/cas/`` (format: ``tests/cas/README.md``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import yaml

CASES_DIR = Path(__file__).parent / "cas"
CASE_FIELDS = {"id", "verifie", "description", "periode", "conventions", "entree", "attendu", "erreur"}


@attrs.frozen
class LegalCase:
    id: str
    fichier: str
    verifie: tuple[str, ...]
    description: str
    entree: dict[str, Any]
    periode: str | None = None
    conventions: dict[str, str] = attrs.Factory(dict)
    attendu: dict[str, Any] | None = None
    erreur: dict[str, Any] | None = None


def _raw_cases(directory: Path, fields: set[str]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Each case of each YAML file of ``directory``, refusing fields the format does not have."""
    for path in sorted(directory.glob("*.yaml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["cas"]:
            unknown = set(raw) - fields
            if unknown:
                raise ValueError(f"{path.name}, cas {raw.get('id')} : champs inconnus {sorted(unknown)}")
            yield path, raw


def load_cases(directory: Path = CASES_DIR) -> list[LegalCase]:
    cases = []
    for path, raw in _raw_cases(directory, CASE_FIELDS):
        if ("attendu" in raw) == ("erreur" in raw):
            raise ValueError(f"{path.name}, cas {raw.get('id')} : « attendu » ou « erreur », exactement un")
        verifie = raw["verifie"]
        cases.append(
            LegalCase(
                id=raw["id"],
                fichier=path.name,
                verifie=tuple(verifie if isinstance(verifie, list) else [verifie]),
                description=raw["description"],
                entree=raw["entree"],
                periode=str(raw["periode"]) if raw.get("periode") is not None else None,
                conventions=raw.get("conventions") or {},
                attendu=raw.get("attendu"),
                erreur=raw.get("erreur"),
            )
        )
    ids = [case.id for case in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"identifiants de cas en double : {duplicates}")
    return cases


def iter_mismatches(expected: Any, actual: Any, path: str = "") -> Iterator[str]:
    """Every difference between an expected subset and an actual JSON result."""
    from decimal import Decimal, InvalidOperation

    if isinstance(expected, dict) and isinstance(actual, list):
        # A list of typed items (the derogations) is checked by type: {abaissement: {...}}.
        actual = {item.get("type"): item for item in actual if isinstance(item, dict)}
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            yield f"{path or 'résultat'} : attendu {expected!r}, obtenu {actual!r}"
            return
        for key, value in expected.items():
            if key not in actual:
                yield f"{path}{key} : clé absente du résultat"
            else:
                yield from iter_mismatches(value, actual[key], f"{path}{key}.")
        return
    where = path.rstrip(".")
    if isinstance(expected, str) and isinstance(actual, str):
        try:
            if Decimal(expected) == Decimal(actual):
                return
        except InvalidOperation:
            pass
    if isinstance(expected, bool) or isinstance(actual, bool) or expected is None or actual is None:
        if expected is not actual:
            yield f"{where} : attendu {expected!r}, obtenu {actual!r}"
        return
    if expected != actual:
        yield f"{where} : attendu {expected!r}, obtenu {actual!r}"


CONTRACT_CASES_DIR = Path(__file__).parent / "cas_contrats"
CONTRACT_CASE_FIELDS = {"id", "verifie", "description", "periode", "conventions", "contrat", "valide", "violations"}


@attrs.frozen
class ContractCase:
    """A proposed contract, the verdict expected and the exact set of violations expected."""

    id: str
    fichier: str
    verifie: tuple[str, ...]
    description: str
    contrat: dict[str, Any]
    valide: bool
    violations: frozenset[str]
    periode: str | None = None
    conventions: dict[str, str] = attrs.Factory(dict)


def load_contract_cases(directory: Path = CONTRACT_CASES_DIR) -> list[ContractCase]:
    cases = []
    for path, raw in _raw_cases(directory, CONTRACT_CASE_FIELDS):
        verifie = raw["verifie"]
        cases.append(
            ContractCase(
                id=raw["id"],
                fichier=path.name,
                verifie=tuple(verifie if isinstance(verifie, list) else [verifie]),
                description=raw["description"],
                contrat=raw["contrat"],
                valide=raw["valide"],
                violations=frozenset(raw.get("violations") or []),
                periode=str(raw["periode"]) if raw.get("periode") is not None else None,
                conventions=raw.get("conventions") or {},
            )
        )
    return cases
