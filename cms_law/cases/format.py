"""The format of the legal test cases: YAML files of ``cas:``, read into :class:`LegalCase` and
:class:`ContractCase` (the format is described in ``tests/cas/README.md``).

A case is data: a commune (or a proposed contract), the period and conventions it is evaluated
with, and what the law gives — an expected part of the JSON result, or the field an error must
name. Reading refuses a field the format does not have, a case with both or neither of
``attendu`` and ``erreur``, and two cases with the same id.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import yaml

CASE_FIELDS = {"id", "verifie", "description", "periode", "conventions", "entree", "attendu", "erreur"}
CONTRACT_CASE_FIELDS = {"id", "verifie", "description", "periode", "conventions", "contrat", "valide", "violations"}


@attrs.frozen
class LegalCase:
    """A commune, how it is evaluated, and what the law gives: ``attendu`` or ``erreur``."""

    id: str
    fichier: str
    verifie: tuple[str, ...]
    description: str
    entree: dict[str, Any]
    periode: str | None = None
    conventions: dict[str, str] = attrs.Factory(dict)
    attendu: dict[str, Any] | None = None
    erreur: dict[str, Any] | None = None


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


def _raw_cases(directory: Path, fields: set[str]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Each case of each YAML file of ``directory``, refusing fields the format does not have."""
    for path in sorted(directory.glob("*.yaml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["cas"]:
            unknown = set(raw) - fields
            if unknown:
                raise ValueError(f"{path.name}, cas {raw.get('id')} : champs inconnus {sorted(unknown)}")
            yield path, raw


def _described(path: Path, raw: dict[str, Any]) -> dict[str, Any]:
    """What every kind of case gives: its id and file, what it checks, how it is evaluated."""
    verifie = raw["verifie"]
    return {
        "id": raw["id"],
        "fichier": path.name,
        "verifie": tuple(verifie if isinstance(verifie, list) else [verifie]),
        "description": raw["description"],
        "periode": str(raw["periode"]) if raw.get("periode") is not None else None,
        "conventions": raw.get("conventions") or {},
    }


def load_cases(directory: Path) -> list[LegalCase]:
    """The legal cases of the YAML files of ``directory`` (the repository's ``tests/cas``)."""
    cases = []
    for path, raw in _raw_cases(directory, CASE_FIELDS):
        if ("attendu" in raw) == ("erreur" in raw):
            raise ValueError(f"{path.name}, cas {raw.get('id')} : « attendu » ou « erreur », exactement un")
        cases.append(
            LegalCase(
                **_described(path, raw),
                entree=raw["entree"],
                attendu=raw.get("attendu"),
                erreur=raw.get("erreur"),
            )
        )
    ids = [case.id for case in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"identifiants de cas en double : {duplicates}")
    return cases


def load_contract_cases(directory: Path) -> list[ContractCase]:
    """The contract cases of the YAML files of ``directory`` (the repository's ``tests/cas_contrats``)."""
    cases = []
    for path, raw in _raw_cases(directory, CONTRACT_CASE_FIELDS):
        cases.append(
            ContractCase(
                **_described(path, raw),
                contrat=raw["contrat"],
                valide=raw["valide"],
                violations=frozenset(raw.get("violations") or []),
            )
        )
    return cases
