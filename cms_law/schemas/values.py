"""The pieces every schema is made of: the value forms, and closed objects and arrays.

Input values follow the readers (``cms_law.inputs``): a count may be ``18450`` or the text
``"18 450"``, a rate ``0.25`` or ``"25 %"``. Output values follow the results: a count is an
integer, any other number an exact decimal in a string, annotated with its cms-law type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DIALECT = "https://json-schema.org/draft/2020-12/schema"
LOCAL = "#/$defs/"

# The text forms the readers accept (cms_law.inputs): integers with thousands separated by a space
# (plain, no-break or narrow no-break), decimals with a point or a comma, rates with « % ».
INTEGER_TEXT = "^\\s*-?[0-9]+(?:[ \u00a0\u202f][0-9]{3})*\\s*$"
NUMBER_TEXT = "^\\s*[0-9]+(?:[.,][0-9]+)?\\s*$"
RATE_TEXT = "^\\s*[0-9]+(?:[.,][0-9]+)?\\s*%?\\s*$"
DATE_TEXT = "^\\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\\s*$"
#: How results write an exact number that is not a count: a decimal string (``"0.25"``).
DECIMAL = "^-?[0-9]+(?:\\.[0-9]+)?$"
PERIOD = "^\\s*[0-9]{4}\\s*-\\s*[0-9]{4}\\s*$"
#: An annotation (ignored by validators) giving the cms-law type of an exact decimal.
TYPE_ANNOTATION = "x-cms-law-type"
ISO_DATE = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}

def ref(name: str) -> dict[str, str]:
    return {"$ref": LOCAL + name}


def nullable(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {"anyOf": [dict(schema), {"type": "null"}]}


def obj(properties: Mapping[str, Any], required: Any = None, **extra: Any) -> dict[str, Any]:
    """A closed object: every key it may have is listed."""
    keys = list(properties) if required is None else list(required)
    return {"type": "object", "properties": dict(properties), "required": keys, "additionalProperties": False, **extra}


def array(items: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "array", "items": dict(items), **extra}


def text(**extra: Any) -> dict[str, Any]:
    return {"type": "string", **extra}




def input_value(kind: str) -> dict[str, Any]:
    """What a reader accepts for a value of this type, in a YAML or JSON file."""
    if kind == "texte":
        return {"type": "string", "pattern": "\\S"}
    if kind == "booleen":
        return {"type": "boolean"}
    if kind == "date":
        return {"type": "string", "format": "date", "pattern": DATE_TEXT}
    if kind in ("entier", "annee"):
        return {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": INTEGER_TEXT}]}
    pattern = RATE_TEXT if kind == "taux" else NUMBER_TEXT
    return {"anyOf": [{"type": "number"}, {"type": "string", "pattern": pattern}]}


def output_value(kind: str | None) -> dict[str, Any]:
    """How a result writes a value of this type (counts as integers, other numbers as decimal strings)."""
    if kind == "booleen":
        return {"type": "boolean"}
    if kind in ("entier", "annee"):
        return {"type": "integer"}
    if kind in ("taux", "points", "nombre"):
        # The annotation says how to show it: a rate (0.25 is 25 %), points, a plain number.
        return {"type": "string", "pattern": DECIMAL, TYPE_ANNOTATION: kind}
    if kind == "date":
        return dict(ISO_DATE)
    if kind == "texte":
        return {"type": "string"}
    return {"type": ["string", "integer", "boolean", "null"]}
