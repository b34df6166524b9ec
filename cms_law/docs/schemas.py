"""The page of the JSON Schemas: each schema a user asks for (``cms-law schema NOM``), then the
definitions they share, each as JSON under a fold, written from the rule book like the schemas.
"""

from __future__ import annotations

import json
from typing import Any

from ..model import RuleBook
from ..schemas import NAMES, definitions
from .labels import schema_label
from .markup import code, esc, folded, heading, indent, ref, target


def _referred(node: Any) -> set[str]:
    """The definitions a schema refers to (``#/$defs/NAME``)."""
    if isinstance(node, dict):
        found = {node["$ref"].rpartition("/")[2]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _referred(value)
        return found
    if isinstance(node, list):
        return set().union(*(_referred(value) for value in node)) if node else set()
    return set()


def _section(name: str, schema: dict[str, Any], description: str | None) -> list[str]:
    lines = [*target(schema_label(name)), *heading(name, "-")]
    if description:
        lines += [esc(description[:1].upper() + description[1:]) + ".", ""]
        lines += [f"Imprimé par {code(f'cms-law schema {name}')}, servi à {code(f'GET /schemas/{name}')}.", ""]
    if schema.get("title"):
        lines += [f"Titre : {esc(schema['title'])}.", ""]
    used = sorted(_referred(schema) - {name})
    if used:
        lines += ["Définitions utilisées : " + ", ".join(ref(schema_label(n), n) for n in used) + ".", ""]
    block = [".. code-block:: json", "", *indent(json.dumps(schema, ensure_ascii=False, indent=2).splitlines())]
    return lines + folded("Le schéma en JSON", block, opened=False)


def schemas_page(book: RuleBook) -> list[str]:
    defs = definitions(book)
    lines = [
        *heading("Les schémas JSON", "=", overline=True),
        esc(
            "Les schémas (JSON Schema, draft 2020-12) de chaque fichier que lit cms-law, de chaque résultat"
            " qu'il écrit et des fichiers de règles. Ils sont écrits à partir des fichiers de règles, comme"
            " cette page : les champs, leurs types, bornes, libellés et aide viennent du vocabulaire, les clés"
            " d'un résultat de ses sorties. Un schéma imprimé par cms-law schema contient, sous $defs, les"
            " définitions qu'il utilise ; elles sont ici une fois chacune."
        ),
        "",
        *heading("Les schémas", "~"),
    ]
    for name, description in NAMES.items():
        lines += _section(name, defs[name], description)
    lines += heading("Les définitions partagées", "~")
    for name in sorted(set(defs) - set(NAMES)):
        lines += _section(name, defs[name], None)
    return lines
