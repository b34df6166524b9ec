"""What the service builds once, at start: the rules, parameters, schemas, texts and OpenAPI.

Every GET of the catalogue answers from here; nothing is recomputed per request. The examples
shown in the OpenAPI document and on the page are the package's own (``cms_law.examples``, the
repository's ``examples/``), and the answers given for them are computed here by the handlers.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import Any

import attrs

from .. import __version__
from ..documents import parse_document
from ..explain import reform_as_dict, rules_as_data
from ..model import RuleBook
from ..schemas import all_schemas
from .openapi import openapi_document
from .settings import Settings
from .texts import Texts, build_texts


@attrs.frozen
class Example:
    """An example file of the package, as sent to an endpoint."""

    file: str
    path: str  # the endpoint
    content: str  # the file's text
    body: Any  # parsed as the service parses it (dates as ISO strings: JSON has no dates)
    media_type: str


#: The example sent to each endpoint that takes a body.
EXAMPLES = {
    "/evaluer": "commune_exemple.yaml",
    "/evaluer-epci": "epci_depliant_dhup.yaml",
    "/verifier-contrat": "contrat_depliant_abaissant.yaml",
    "/historique": "commune_historique.yaml",
    "/lot": "communes_avec_erreurs.csv",
}


def load_examples() -> dict[str, Example]:
    folder = resources.files("cms_law.examples")
    examples = {}
    for path, name in EXAMPLES.items():
        content = (folder / name).read_text(encoding="utf-8")
        if name.endswith(".csv"):
            examples[path] = Example(name, path, content, content, "text/csv")
        else:
            body = parse_document(content, name)  # dates stay text, as a body sent is read
            examples[path] = Example(name, path, content, body, "application/yaml")
    return examples


@attrs.frozen
class Catalogue:
    book: RuleBook
    settings: Settings
    rules: dict[str, Any]
    rules_by_id: Mapping[str, dict[str, Any]]
    parameters: dict[str, Any]
    schemas: Mapping[str, dict[str, Any]]
    texts: Texts
    examples: Mapping[str, Example]
    openapi: dict[str, Any]
    health: dict[str, Any]


def build_catalogue(book: RuleBook, settings: Settings) -> Catalogue:
    rules = rules_as_data(book)
    by_id: dict[str, dict[str, Any]] = {}
    for rule in rules["regles"]:
        by_id.setdefault(rule["id"], {"id": rule["id"], "versions": []})["versions"].append(rule)
    examples = load_examples()
    return Catalogue(
        book=book,
        settings=settings,
        rules=rules,
        rules_by_id=by_id,
        parameters={"parametres": rules["parametres"], "conventions": rules["conventions"]},
        schemas=all_schemas(book),
        texts=build_texts(book),
        examples=examples,
        openapi=openapi_document(book, settings, examples),
        health={
            "statut": "ok",
            "version": __version__,
            "regimes": [regime["id"] for regime in rules["regimes"]],
            "limites": {"corps_octets": settings.max_body, "lignes_lot": settings.max_rows},
            # The service started under a reform (cms-law serve --reforme): every answer says so too.
            "reforme": reform_as_dict(book.reforme) if book.reforme else None,
        },
    )
