"""The schemas of the files a user writes: a commune, an EPCI, a contract, a commune's history.

Each field is one of ``rules/vocabulaire.yaml``, with its type, bounds, pattern, default, French
label (``title``) and help (``description``); an unknown field is refused, as the readers refuse it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import InputField, RuleBook
from .values import PERIOD, array, input_value, obj, output_value, ref, text


def _described(field: InputField, schema: dict[str, Any]) -> dict[str, Any]:
    return {"title": field.libelle, "description": field.description, **schema}


def _input_field(field: InputField) -> dict[str, Any]:
    schema = input_value(field.type)
    if field.motif is not None:
        schema = {**schema, "pattern": f"^\\s*(?:{field.motif})\\s*$"}
    bounds: dict[str, Any] = {}
    # JSON Schema bounds no date: a date's range is checked by the reader only.
    if field.minimum is not None and field.type != "date":
        bounds["minimum"] = _number(field.minimum)
    if field.maximum is not None and field.type != "date":
        bounds["maximum"] = _number(field.maximum)
    if bounds:
        # The bounds apply to a number; a text (« 25 % ») is checked by the reader.
        schema = {"anyOf": [{**option, **bounds} if option.get("type") in ("integer", "number") else option
                            for option in schema["anyOf"]]}
    if field.defaut is not None:
        schema = {**schema, "default": _plain_default(field.defaut)}
    return _described(field, schema)


def _number(value: Any) -> int | float:
    return value if isinstance(value, int) else float(value)


def _plain_default(value: Any) -> Any:
    return value if isinstance(value, (bool, int, str)) else _number(value)


def _fields_object(fields: tuple[InputField, ...], title: str, extra: Mapping[str, Any] | None = None,
                   extra_required: tuple[str, ...] = ()) -> dict[str, Any]:
    properties = {field.cle: _input_field(field) for field in fields}
    properties.update(extra or {})
    required = [field.cle for field in fields if field.requis] + list(extra_required)
    return obj(properties, required, title=title)


def output_fields(fields: tuple[InputField, ...]) -> dict[str, Any]:
    """The fields as a result echoes them (converted: a rate as a decimal string)."""
    properties = {field.cle: {"title": field.libelle, **output_value(field.type)} for field in fields}
    return obj(properties, [])



def input_definitions(book: RuleBook) -> dict[str, dict[str, Any]]:
    commune = _fields_object(book.entrees, "Description d'une commune")
    communes = array(ref("commune"), minItems=1, description="les communes de l'EPCI, chacune décrite comme pour cms-law evaluate")
    epci = _fields_object(book.entrees_epci, "EPCI et ses communes", {"communes": communes}, ("communes",))
    arrondissement = _fields_object(book.entrees_arrondissement, "Arrondissement d'une commune du contrat")
    arrondissements = array(ref("contrat-arrondissement"),
                            description="Paris, Lyon, Marseille : l'objectif de chaque arrondissement")
    in_one_period = _fields_object((*book.entrees, *book.entrees_contrat_commune),
                                   "Ce qui change pour la commune dans une période du contrat",
                                   {"arrondissements": arrondissements})
    in_one_period["required"] = []
    member = _fields_object(
        (*book.entrees, *book.entrees_contrat_commune),
        "Commune d'un contrat : sa description et ce que le contrat lui fixe",
        {"arrondissements": arrondissements,
         "periodes": {"type": "object", "propertyNames": {"pattern": PERIOD}, "additionalProperties": in_one_period,
                      "description": "contrat de plusieurs périodes : ce qui change, période par période"}},
    )
    contract = _fields_object(
        (*book.entrees_epci, *book.entrees_contrat),
        "Contrat de mixité sociale proposé",
        {"communes": array(ref("contrat-commune"), minItems=1),
         "periodes": array(text(pattern=PERIOD), minItems=1,
                           description="les périodes triennales consécutives que couvre le contrat")},
        ("communes",),
    )
    partial = {**commune, "required": [], "title": "Données propres à une période"}
    history = {
        **commune,
        "title": "Commune et ses données par période (cms-law history)",
        "properties": {
            **commune["properties"],
            "periodes": {
                "type": "object",
                "description": "pour chaque période (« 2014-2016 »), les valeurs qui lui sont propres",
                "propertyNames": {"pattern": PERIOD},
                "additionalProperties": partial,
            },
        },
        # A required field may be given in each period rather than once.
        "required": [],
    }
    return {
        "commune": commune,
        "epci": epci,
        "contrat": contract,
        "contrat-commune": member,
        "contrat-arrondissement": arrondissement,
        "commune-historique": history,
    }
