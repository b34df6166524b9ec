"""JSON Schemas (draft 2020-12) of every file cms-law reads and every JSON result it writes.

They are written from the rule book, never by hand: the fields of a commune, an EPCI or a contract,
their types, bounds, patterns, French labels and help come from ``rules/vocabulaire.yaml``; the
keys of a result from its ``sorties``; the names an explanation step may show, the law versions,
the conventions and their options, the derogation types from the rules loaded. A change of the
rule files changes the schemas with them.

Each schema is built as a set of named definitions that refer to each other; :func:`schema` gives
one of them standalone (``cms-law schema NAME``), :func:`definitions` all of them for the OpenAPI
document of ``cms-law serve``. Values follow the readers: an input count may be ``18450`` or the
text ``"18 450"``, a rate ``0.25`` or ``"25 %"``; an output rate is an exact decimal in a string.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator, Mapping
from typing import Any

from ..loader import load_rulebook
from ..model import RuleBook
from .fields import input_definitions
from .results import command_definitions, result_definitions
from .rule_files import rule_file_definitions
from .tools import reform_definitions, stamp_results, tool_definitions
from .values import (
    DATE_TEXT,
    DECIMAL,
    INTEGER_TEXT,
    LOCAL,
    NUMBER_TEXT,
    PERIOD,
    RATE_TEXT,
    TYPE_ANNOTATION,
    input_value,
    output_value,
    ref,
)

__all__ = [
    "DATE_TEXT", "DECIMAL", "DIALECT", "INTEGER_TEXT", "NAMES", "NUMBER_TEXT", "PERIOD", "RATE_TEXT",
    "TYPE_ANNOTATION", "all_schemas", "build", "definitions", "input_value", "output_value", "ref", "rewrite_refs", "schema",
]

DIALECT = "https://json-schema.org/draft/2020-12/schema"

#: Each schema a user may ask for, with what it describes (``cms-law schema --help``).
NAMES: Mapping[str, str] = {
    "commune": "la description d'une commune (cms-law evaluate, POST /evaluer)",
    "epci": "le fichier d'un EPCI et de ses communes (cms-law evaluate-epci, POST /evaluer-epci)",
    "contrat": "le fichier d'un contrat de mixité sociale proposé (cms-law check-contract, POST /verifier-contrat)",
    "commune-historique": "une commune et ses données par période (cms-law history, POST /historique)",
    "resultat": "le résultat de cms-law evaluate --format json",
    "resultat-epci": "le résultat de cms-law evaluate-epci --format json",
    "resultat-contrat": "le résultat de cms-law check-contract --format json",
    "historique": "le résultat de cms-law history --format json",
    "diff": "le résultat de cms-law diff --format json",
    "regles": "le résultat de cms-law rules --format json",
    "verification-regles": "le résultat de cms-law rules --verifier --format json",
    "lot-resultat": "une ligne de résultats de cms-law batch --format json (JSON lines)",
    "lot-erreur": "une ligne rejetée de cms-law batch --format json (fichier d'erreurs, JSON lines)",
    "erreurs": "les problèmes d'une entrée invalide (--format json, réponses HTTP 4xx)",
    "cas": "un fichier de cas de test juridiques (cms-law test ; format de tests/cas/)",
    "resultat-test": "le rapport de cms-law test --format json",
    "comparaison": "le résultat de cms-law compare --format json (une réforme sur un inventaire)",
    "diff-resultats": "le résultat de cms-law diff-resultats --format json (deux résultats comparés)",
    "reforme": "un fichier de réforme (--reforme : paramètres et règles changés, chacun justifié)",
    "fichier-article": "un fichier de règles rules/cch/<article>/<date>.yaml (texte et règles d'une version)",
    "fichier-lois": "le fichier de règles rules/lois.yaml (lois, régimes, périodes)",
    "fichier-vocabulaire": "le fichier de règles rules/vocabulaire.yaml (champs, grandeurs, résultat)",
}


@functools.cache
def _shipped() -> dict[str, dict[str, Any]]:
    return build(load_rulebook())


def definitions(book: RuleBook | None = None) -> dict[str, dict[str, Any]]:
    """Every named definition, referring to one another as ``#/$defs/NAME`` (a fresh copy)."""
    return copy.deepcopy(_shipped() if book is None else build(book))


def schema(name: str, book: RuleBook | None = None) -> dict[str, Any]:
    """One schema of :data:`NAMES`, standalone: with the definitions it refers to under ``$defs``."""
    if name not in NAMES:
        raise KeyError(name)
    return _standalone(definitions(book), name)


def all_schemas(book: RuleBook | None = None) -> dict[str, dict[str, Any]]:
    """Every schema of :data:`NAMES`, standalone, from one build of the definitions."""
    defs = definitions(book)
    return {name: _standalone(defs, name) for name in NAMES}


def _standalone(defs: Mapping[str, Any], name: str) -> dict[str, Any]:
    used = sorted(_closure(defs, name) - {name})
    return copy.deepcopy({"$schema": DIALECT, **defs[name], **({"$defs": {n: defs[n] for n in used}} if used else {})})


def _closure(defs: Mapping[str, Any], name: str) -> set[str]:
    seen: set[str] = set()
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        pending.extend(_refs(defs[current]))
    return seen


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        target = node.get("$ref")
        if isinstance(target, str) and target.startswith(LOCAL):
            yield target[len(LOCAL):]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def rewrite_refs(node: Any, prefix: str) -> Any:
    """The same schema with its local references under ``prefix`` (``#/components/schemas/``)."""
    if isinstance(node, dict):
        return {
            key: (prefix + value[len(LOCAL):] if key == "$ref" and isinstance(value, str) and value.startswith(LOCAL)
                  else rewrite_refs(value, prefix))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [rewrite_refs(value, prefix) for value in node]
    return node


def build(book: RuleBook) -> dict[str, dict[str, Any]]:
    defs: dict[str, dict[str, Any]] = {}
    defs.update(input_definitions(book))
    defs.update(result_definitions(book))
    defs.update(command_definitions(book))
    defs.update(rule_file_definitions(book))
    defs.update(tool_definitions(defs))
    defs.update(reform_definitions(book))
    stamp_results(defs)
    return defs
