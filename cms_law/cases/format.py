"""The format of the legal test cases: YAML files of ``cas:``, read strictly into :class:`LegalCase`
(a commune and what the law gives it) and :class:`ContractCase` (a proposed contract and its
verdict). The format is described for users in the README (« Écrire ses propres cas ») and by the
JSON Schema ``cms-law schema cas`` (:func:`case_file_schema`).

Reading refuses, with a :class:`CaseFileError` naming the file, the case and the field: invalid
YAML, a file without its ``cas`` list, a field the format does not have, a missing or mistyped
field, a case with both or neither of ``attendu`` and ``erreur``, two cases with the same id. The
commune or contract itself is not checked here: the engine checks it when the case runs, and a
case may expect it to be refused (``erreur``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from ..documents import read_document
from ..errors import CmsLawError, InputError

COMMON_FIELDS = {"id", "verifie", "description", "periode", "conventions"}
CASE_FIELDS = COMMON_FIELDS | {"entree", "attendu", "erreur"}
CONTRACT_CASE_FIELDS = COMMON_FIELDS | {"contrat", "valide", "violations", "non_verifiables"}
#: Keys of a case file besides ``cas``: ``definitions`` holds the YAML anchors cases share.
FILE_FIELDS = {"cas", "definitions"}


class CaseFileError(CmsLawError):
    """A case file is malformed: the message names the file, the case (when there is one) and the field."""

    def __init__(self, fichier: str, message: str, cas: str | None = None, champ: str | None = None, situe: bool = False) -> None:
        """``situe``: the message already names the file and the line (a document reader's)."""
        self.fichier = fichier
        self.cas = cas
        self.champ = champ
        where = fichier + (f", cas « {cas} »" if cas else "") + (f", champ « {champ} »" if champ else "")
        self.message = message
        super().__init__(message if situe else f"{where} : {message}")


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
    """A proposed contract, the verdict expected and the exact sets of violations and of checks the
    input cannot decide (« non vérifiables ») expected."""

    id: str
    fichier: str
    verifie: tuple[str, ...]
    description: str
    contrat: dict[str, Any]
    valide: bool
    violations: frozenset[str]
    periode: str | None = None
    conventions: dict[str, str] = attrs.Factory(dict)
    non_verifiables: frozenset[str] = frozenset()


Case = LegalCase | ContractCase


def read_case_file(path: Path) -> list[Case]:
    """Every case of one file, commune cases and contract cases alike (a contract case has ``contrat``)."""
    name = path.name
    data = _load(path)
    if not isinstance(data, Mapping) or "cas" not in data:
        raise CaseFileError(name, "le fichier doit être un dictionnaire dont la clé « cas » liste les cas")
    unknown = sorted(str(key) for key in data if key not in FILE_FIELDS)
    if unknown:
        raise CaseFileError(name, f"clé(s) inconnue(s) {', '.join(unknown)} (autorisées : cas, definitions)")
    if not isinstance(data["cas"], list) or not data["cas"]:
        raise CaseFileError(name, "une liste non vide de cas est attendue", champ="cas")
    cases: list[Case] = []
    for index, raw in enumerate(data["cas"], 1):
        cases.append(_case(name, index, raw))
    _refuse_duplicates(cases)
    return cases


def read_cases(paths: Iterable[Path]) -> list[Case]:
    """The cases of several files, whose ids must be unique across them."""
    cases = [case for path in paths for case in read_case_file(path)]
    _refuse_duplicates(cases)
    return cases


def case_files(path: Path) -> list[Path]:
    """A case file, or the YAML files of a folder (its subfolders too), in name order."""
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        if not found:
            raise CaseFileError(str(path), "aucun fichier de cas (.yaml, .yml) dans ce dossier")
        return found
    if not path.is_file():
        raise CaseFileError(str(path), "fichier ou dossier introuvable")
    return [path]


def load_cases(directory: Path) -> list[LegalCase]:
    """The commune cases of the YAML files of ``directory`` (the repository's ``tests/cas``)."""
    return [case for case in read_cases(sorted(directory.glob("*.yaml"))) if isinstance(case, LegalCase)]


def load_contract_cases(directory: Path) -> list[ContractCase]:
    """The contract cases of the YAML files of ``directory`` (the repository's ``tests/cas_contrats``)."""
    return [case for case in read_cases(sorted(directory.glob("*.yaml"))) if isinstance(case, ContractCase)]


def _load(path: Path) -> Any:
    """The file's document, read as every user document is (its size, depth and aliases bounded,
    lines left out so that a case's outputs do not move when a line is added above it)."""
    try:
        return read_document(path, path.name, locate=False)
    except InputError as error:
        problems = "; ".join(problem.message for problem in error.problemes)
        raise CaseFileError(path.name, problems, situe=True) from None


def _case(fichier: str, index: int, raw: object) -> Case:
    if not isinstance(raw, Mapping):
        raise CaseFileError(fichier, f"le cas n° {index} doit être un dictionnaire, reçu {type(raw).__name__}")
    case_id = raw.get("id")
    if not isinstance(case_id, str) or not case_id.strip():
        raise CaseFileError(fichier, f"le cas n° {index} n'a pas d'identifiant (texte non vide)", champ="id")

    def fail(champ: str, message: str) -> CaseFileError:
        return CaseFileError(fichier, message, case_id, champ)

    contract = "contrat" in raw
    fields = CONTRACT_CASE_FIELDS if contract else CASE_FIELDS
    for key in raw:
        if key not in fields:
            hint = " (un cas de contrat a « contrat », « valide » et « violations »)" if key in CONTRACT_CASE_FIELDS else ""
            raise fail(str(key), f"champ inconnu (champs d'un cas : {', '.join(sorted(fields))}){hint}")
    verifie = raw.get("verifie")
    verifie = verifie if isinstance(verifie, list) else [verifie]
    if not verifie or not all(isinstance(v, str) and v.strip() for v in verifie):
        raise fail("verifie", "l'alinéa vérifié est attendu, texte (« L. 302-8, VII, 1° ») ou liste de textes")
    description = raw.get("description")
    if not isinstance(description, str) or not description.strip():
        raise fail("description", "une description (texte non vide) est attendue")
    periode = raw.get("periode")
    if periode is not None and not isinstance(periode, str):
        raise fail("periode", f"une période AAAA-AAAA entre guillemets est attendue, reçu {periode!r}")
    conventions = raw.get("conventions") or {}
    if not isinstance(conventions, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in conventions.items()
    ):
        raise fail("conventions", "un dictionnaire NOM: OPTION est attendu")
    described: dict[str, Any] = {
        "id": case_id.strip(),
        "fichier": fichier,
        "verifie": tuple(v.strip() for v in verifie),
        "description": description.strip(),
        "periode": periode,
        "conventions": dict(conventions),
    }
    if contract:
        return _contract_case(raw, described, fail)
    return _commune_case(raw, described, fail)


def _commune_case(raw: Mapping[str, Any], described: dict[str, Any], fail: Any) -> LegalCase:
    if not isinstance(raw.get("entree"), Mapping):
        raise fail("entree", "la commune (un dictionnaire de ses champs) est attendue")
    if ("attendu" in raw) == ("erreur" in raw):
        raise fail("attendu", "« attendu » ou « erreur » est attendu, exactement l'un des deux")
    if "attendu" in raw and (not isinstance(raw["attendu"], Mapping) or not raw["attendu"]):
        raise fail("attendu", "une partie non vide du résultat JSON est attendue (un dictionnaire)")
    if "erreur" in raw:
        erreur = raw["erreur"]
        if not isinstance(erreur, Mapping) or set(erreur) != {"champ"} or not isinstance(erreur["champ"], str):
            raise fail("erreur", "la forme {champ: NOM_DU_CHAMP} est attendue")
    return LegalCase(**described, entree=dict(raw["entree"]), attendu=raw.get("attendu"), erreur=raw.get("erreur"))


def _contract_case(raw: Mapping[str, Any], described: dict[str, Any], fail: Any) -> ContractCase:
    if not isinstance(raw["contrat"], Mapping):
        raise fail("contrat", "le contrat (un dictionnaire : l'EPCI, le contrat et ses communes) est attendu")
    if not isinstance(raw.get("valide"), bool):
        raise fail("valide", "le verdict attendu, vrai ou faux (true, false), est attendu")
    def named(key: str, words: str) -> frozenset[str]:
        listed = raw.get(key) or []
        if not isinstance(listed, list) or not all(isinstance(v, str) for v in listed):
            raise fail(key, f"la liste des {words} attendues (« REGLE » ou « REGLE / COMMUNE ») est attendue")
        return frozenset(listed)

    return ContractCase(**described, contrat=dict(raw["contrat"]), valide=raw["valide"],
                        violations=named("violations", "violations"),
                        non_verifiables=named("non_verifiables", "vérifications non vérifiables"))


def _refuse_duplicates(cases: list[Case]) -> None:
    seen: dict[str, str] = {}
    for case in cases:
        if case.id in seen:
            where = f"déjà dans {seen[case.id]}" if seen[case.id] != case.fichier else "déjà dans ce fichier"
            raise CaseFileError(case.fichier, f"identifiant en double ({where})", case.id, "id")
        seen[case.id] = case.fichier
