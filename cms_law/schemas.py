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

from .loader import AGGREGATE_SCOPES, TYPES, load_rulebook
from .model import PROVENANCES, InputField, RuleBook

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_LOCAL = "#/$defs/"

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
    "lot-resultat": "une ligne de résultats de cms-law batch --format json (JSON lines)",
    "lot-erreur": "une ligne rejetée de cms-law batch --format json (fichier d'erreurs, JSON lines)",
    "erreurs": "les problèmes d'une entrée invalide (--format json, réponses HTTP 4xx)",
    "fichier-article": "un fichier de règles rules/cch/<article>/<date>.yaml (texte et règles d'une version)",
    "fichier-lois": "le fichier de règles rules/lois.yaml (lois, régimes, périodes)",
    "fichier-vocabulaire": "le fichier de règles rules/vocabulaire.yaml (champs, grandeurs, résultat)",
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": _LOCAL + name}


def nullable(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {"anyOf": [dict(schema), {"type": "null"}]}


def _obj(properties: Mapping[str, Any], required: Any = None, **extra: Any) -> dict[str, Any]:
    """A closed object: every key it may have is listed."""
    keys = list(properties) if required is None else list(required)
    return {"type": "object", "properties": dict(properties), "required": keys, "additionalProperties": False, **extra}


def _array(items: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "array", "items": dict(items), **extra}


def _text(**extra: Any) -> dict[str, Any]:
    return {"type": "string", **extra}


# --------------------------------------------------------------------------- values


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


def _described(field: InputField, schema: dict[str, Any]) -> dict[str, Any]:
    return {"title": field.libelle, "description": field.description, **schema}


def _input_field(field: InputField) -> dict[str, Any]:
    schema = input_value(field.type)
    if field.motif is not None:
        schema = {**schema, "pattern": f"^\\s*(?:{field.motif})\\s*$"}
    bounds: dict[str, Any] = {}
    if field.minimum is not None:
        bounds["minimum"] = _number(field.minimum)
    if field.maximum is not None:
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
    return _obj(properties, required, title=title)


def _output_fields(fields: tuple[InputField, ...]) -> dict[str, Any]:
    """The fields as a result echoes them (converted: a rate as a decimal string)."""
    properties = {field.cle: {"title": field.libelle, **output_value(field.type)} for field in fields}
    return _obj(properties, [])


# --------------------------------------------------------------------------- the definitions


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
    defs = definitions(book)
    used = sorted(_closure(defs, name) - {name})
    return {"$schema": DIALECT, **defs[name], **({"$defs": {n: defs[n] for n in used}} if used else {})}


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
        if isinstance(target, str) and target.startswith(_LOCAL):
            yield target[len(_LOCAL):]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def rewrite_refs(node: Any, prefix: str) -> Any:
    """The same schema with its local references under ``prefix`` (``#/components/schemas/``)."""
    if isinstance(node, dict):
        return {
            key: (prefix + value[len(_LOCAL):] if key == "$ref" and isinstance(value, str) and value.startswith(_LOCAL)
                  else rewrite_refs(value, prefix))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [rewrite_refs(value, prefix) for value in node]
    return node


def build(book: RuleBook) -> dict[str, dict[str, Any]]:
    defs: dict[str, dict[str, Any]] = {}
    defs.update(_input_definitions(book))
    defs.update(_result_definitions(book))
    defs.update(_command_definitions(book))
    defs.update(_rule_file_definitions(book))
    return defs


def _input_definitions(book: RuleBook) -> dict[str, dict[str, Any]]:
    commune = _fields_object(book.entrees, "Description d'une commune")
    communes = _array(ref("commune"), minItems=1, description="les communes de l'EPCI, chacune décrite comme pour cms-law evaluate")
    epci = _fields_object(book.entrees_epci, "EPCI et ses communes", {"communes": communes}, ("communes",))
    arrondissement = _fields_object(book.entrees_arrondissement, "Arrondissement d'une commune du contrat")
    member = _fields_object(
        (*book.entrees, *book.entrees_contrat_commune),
        "Commune d'un contrat : sa description et ce que le contrat lui fixe",
        {"arrondissements": _array(ref("contrat-arrondissement"),
                                   description="Paris, Lyon, Marseille : l'objectif de chaque arrondissement")},
    )
    contract = _fields_object(
        (*book.entrees_epci, *book.entrees_contrat),
        "Contrat de mixité sociale proposé",
        {"communes": _array(ref("contrat-commune"), minItems=1)},
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


def _names(book: RuleBook) -> list[str]:
    """Every name an explanation step may show as an input or a value."""
    names = {*book.variables, *book.contexte, *book.conventions, *(p.nom for p in book.parametres)}
    names |= {field.variable for field in book.entrees}
    return sorted(names)


def _result_definitions(book: RuleBook) -> dict[str, dict[str, Any]]:
    provenance = {"enum": list(PROVENANCES)}
    citation = _obj(
        {
            "citation": _text(description="forme courte (« L. 302-8, VII, 1° »)"),
            "texte_long": _text(description="forme complète, avec le code et la rédaction appliquée"),
            "article": _text(),
            "section": {"type": ["string", "null"]},
            "alinea": {"type": ["integer", "null"]},
            "item": {"type": ["string", "null"]},
            "version_debut": ISO_DATE,
            "version_fin": nullable(ISO_DATE),
            "loi": {"type": ["string", "null"]},
            "provenance": {**provenance, "description": "d'où vient le texte cité : " + " ; ".join(
                f"{key} = {text}" for key, text in PROVENANCES.items())},
            "texte_complet": {"type": "boolean"},
        },
        title="Alinéa cité",
    )
    scalar = {"type": ["string", "integer", "boolean", "null"]}
    names = {"type": "object", "propertyNames": {"enum": _names(book)}, "additionalProperties": scalar}
    step = _obj(
        {
            "regle": _text(),
            "nature": {"enum": ["regle", "convention"]},
            "titre": _text(),
            "citations": _array(_text()),
            "references": _array(ref("citation")),
            "entrees": names,
            "valeurs": names,
            "texte": _text(description="l'étape en une phrase française"),
        },
        title="Étape du raisonnement",
    )
    short_citations = _array(_text())
    derogation = _obj(
        {
            "type": {"enum": sorted({d.type for d in (*book.derogations, *book.derogations_epci)})},
            "regle": _text(),
            "titre": _text(),
            "citations": short_citations,
            "ouverte": {"type": "boolean"},
            "plancher": {"type": ["integer", "null"]},
            "periodes_restantes": {"type": ["integer", "null"]},
            "conditions": _array(_obj({
                "libelle": _text(), "citation": _text(), "citations": short_citations,
                "remplie": {"type": ["boolean", "null"], "description": "null : les données ne le disent pas"},
            })),
            "exigences": _array(_obj({"texte": _text(), "citations": short_citations})),
            "explication": _text(),
        },
        ["type", "regle", "titre", "citations", "ouverte", "conditions", "exigences", "explication"],
        title="Dérogation",
    )
    conventions = _obj(
        {
            name: _obj({"valeur": {"enum": list(c.options)}, "par_defaut": {"type": "boolean"}}, title=c.titre)
            for name, c in book.conventions.items()
        },
        [],
        title="Option retenue de chaque convention",
    )
    figures = _figures(book)
    result = _obj(
        {**figures, "derogations": _array(ref("derogation")), "conventions": ref("conventions"),
         "explication": _array(ref("etape"))},
        [*figures, "derogations", "conventions"],
        title="Résultat de l'évaluation d'une commune",
    )
    aggregate = _obj(
        {
            "valeur": output_value(None),
            "titre": _text(),
            "citations": short_citations,
            "communes": _array(_obj({"nom": _text(), "valeur": output_value(None)})),
            "indeterminees": _array(_text()),
            "texte": _text(),
        },
        title="Agrégat sur les communes",
    )
    aggregates = {"type": "object", "propertyNames": {"enum": sorted(a.nom for a in book.agregats)},
                  "additionalProperties": ref("agregat")}
    regime = {"enum": [r.id for r in book.regimes]}
    epci_result = _obj(
        {
            "epci": _output_fields(book.entrees_epci),
            "periode": _text(pattern=PERIOD),
            "version_loi": regime,
            "communes": _array(ref("resultat")),
            "agregats": aggregates,
            "derogations": _array(ref("derogation")),
        },
        title="Résultat de l'évaluation d'un EPCI",
    )
    finding = _obj({"regle": _text(), "citations": short_citations, "commune": {"type": ["string", "null"]},
                    "texte": _text()})
    table_row = _obj({"commune": _text(), **{c.cle: {"title": c.libelle, **output_value(None)}
                                              for c in book.tableau_contrat}},
                     title="Ligne du tableau des objectifs (modèle de contrat)")
    contract_result = _obj(
        {
            "valide": {"type": "boolean"},
            "type": {"type": "string"},
            "periode": _text(pattern=PERIOD),
            "version_loi": regime,
            "contrat": _output_fields((*book.entrees_epci, *book.entrees_contrat)),
            "violations": _array(finding),
            "verifications_non_evaluees": _array(finding),
            "tableau": _array(table_row),
            "agregats": aggregates,
            "communes": _array(ref("resultat")),
        },
        title="Vérification d'un contrat de mixité sociale",
    )
    problem = _obj({"champ": {"type": ["string", "null"]}, "message": _text()})
    errors = _obj(
        {"erreurs": _array(problem, minItems=1),
         "identifiant": _text(description="identifiant d'une erreur interne, à rappeler en la signalant")},
        ["erreurs"],
        title="Entrée invalide : chaque problème nomme son champ",
    )
    return {
        "citation": citation,
        "etape": step,
        "derogation": derogation,
        "conventions": conventions,
        "resultat": result,
        "agregat": aggregate,
        "resultat-epci": epci_result,
        "resultat-contrat": contract_result,
        "erreurs": errors,
    }


def _figures(book: RuleBook) -> dict[str, Any]:
    """The keys a result and a batch row share: the commune read, the period, the law, ``sorties``."""
    figures: dict[str, Any] = {
        "commune": _output_fields(book.entrees),
        "periode": _text(pattern=PERIOD),
        "version_loi": {"enum": [r.id for r in book.regimes]},
        "version_loi_libelle": _text(),
    }
    for entry in book.sorties:
        if isinstance(entry, str):
            figures[entry] = {"title": book.label_of(entry), **nullable(output_value(book.type_of(entry)))}
            continue
        ((key, spec),) = entry.items()
        if isinstance(spec, list):
            group = _obj({n: {"title": book.label_of(n), **nullable(output_value(book.type_of(n)))} for n in spec})
            figures[key] = {"title": key, **nullable(group)}
        else:
            figures[key] = {"title": spec.get("libelle", key),
                            "description": f"citation courte de la règle qui a fixé {spec['citation_de']}",
                            "type": ["string", "null"]}
    return figures


def _command_definitions(book: RuleBook) -> dict[str, dict[str, Any]]:
    validity = _obj({"debut": ISO_DATE, "fin": nullable(ISO_DATE)})
    layout = book.historique
    columns = layout.colonnes if layout else ()
    figures = _figures(book)
    period_row = _obj(
        {
            "periode": _text(pattern=PERIOD),
            "version_loi": figures["version_loi"],
            **{column: figures[column] for column in columns},
            "loi": {"type": ["string", "null"]},
            "erreurs": _array(_obj({"champ": {"type": ["string", "null"]}, "message": _text()})),
        },
        title="Une période de l'historique (ses chiffres, ou les problèmes qui l'ont empêchée)",
    )
    history = _obj({"commune": _text(), "periodes": _array(period_row)}, title="Historique d'une commune")
    regime = nullable(_obj({"id": _text(), "titre": _text(), "debut": ISO_DATE, "fin": nullable(ISO_DATE)}))
    version = nullable(_obj({"fichier": _text(), "debut": ISO_DATE, "fin": nullable(ISO_DATE),
                             "debut_precision": {"enum": ["certaine", "inferee"]}, "loi": {"type": ["string", "null"]}}))
    rule_state = nullable({"type": "object", "description": "la règle ou le paramètre à cette date"})
    change = _obj(
        {
            "nature": {"enum": ["regle", "parametre"]},
            "id": _text(),
            "titre": _text(),
            "changement": {"enum": ["ajout", "suppression", "modification"]},
            "avant": rule_state,
            "apres": rule_state,
            "aspects": _array({"enum": ["si", "alors", "citations", "explication", "valeur"]}),
        }
    )
    diff = _obj(
        {
            "date_avant": ISO_DATE,
            "date_apres": ISO_DATE,
            "regime_avant": regime,
            "regime_apres": regime,
            "articles": _array(_obj({"article": _text(), "version_avant": version, "version_apres": version})),
            "changements": _array(change),
        },
        title="Ce qui a changé dans la loi encodée entre deux dates",
    )
    citations = _array(ref("citation"))
    rules = _obj(
        {
            "regimes": _array(_obj({"id": _text(), "titre": _text(), "validite": validity})),
            "regles": _array(ref("regle")),
            "parametres": _array(ref("parametre")),
            "conventions": _array(ref("convention")),
        },
        title="Les règles, paramètres et conventions encodés",
    )
    rule = _obj(
        {
            "id": _text(),
            "titre": _text(),
            "fichier": _text(),
            "validite": validity,
            "citations": citations,
            "si": {"type": ["string", "null"]},
            "alors": {"type": "object", "propertyNames": {"enum": sorted(book.variables)},
                      "additionalProperties": _text()},
            "exception_de": _array(_text()),
        },
        title="Règle (une version)",
    )
    parameter = _obj(
        {
            "nom": _text(),
            "titre": _text(),
            "fichier": _text(),
            "validite": validity,
            "citations": citations,
            "valeurs": _array(_obj({"depuis": ISO_DATE, "valeur": output_value(None)})),
        },
        title="Paramètre (une version)",
    )
    convention = _obj(
        {
            "nom": {"enum": list(book.conventions)},
            "titre": _text(),
            "interprete": citations,
            "justification": _text(),
            "options": {"type": "object", "additionalProperties": _text()},
            "defaut": _text(),
        },
        title="Convention (là où le texte est muet)",
    )
    batch_keys = {key: value for key, value in figures.items()}
    batch_row = _obj(
        {
            "ligne": {"type": "integer", "minimum": 1, "description": "numéro de la ligne dans le fichier d'entrée"},
            **batch_keys,
            "derogations": _array(ref("derogation")),
            "conventions": ref("conventions"),
            "resume": _text(description="le résultat en une phrase"),
            "explication": _array(ref("etape")),
        },
        ["ligne", *batch_keys, "derogations", "conventions", "resume"],
        title="Ligne de résultats d'un lot (JSON lines)",
    )
    batch_error = _obj(
        {
            "ligne": {"type": "integer", "minimum": 0},
            "nom": {"type": "string"},
            "code_insee": {"type": "string"},
            "erreurs": _array(_obj({"champ": _text(), "message": _text(), "valeur": {"type": "string"}}), minItems=1),
        },
        title="Ligne rejetée d'un lot (JSON lines)",
    )
    return {
        "historique": history,
        "diff": diff,
        "regles": rules,
        "regle": rule,
        "parametre": parameter,
        "convention": convention,
        "lot-resultat": batch_row,
        "lot-erreur": batch_error,
    }


# --------------------------------------------------------------------------- the rule files


def _rule_file_definitions(book: RuleBook) -> dict[str, dict[str, Any]]:
    """The rule files' format, as the loader reads them (unknown keys are refused)."""
    text = {"type": "string", "pattern": "\\S"}
    day = ISO_DATE
    cite_one = {"anyOf": [text, _obj({"article": text, "alinea": text})]}
    cite = {"anyOf": [cite_one, _array(cite_one)]}
    expression = {"anyOf": [text, {"type": "boolean"}, {"type": "number"}],
                  "description": "une expression du langage des formules (rules/README.md)"}
    literal = {"type": ["string", "number", "boolean"]}
    kind = {"enum": list(TYPES)}
    variables = sorted(book.variables)
    alinea = _obj(
        {
            "id": text,
            "section": {"type": ["string", "null"]},
            "alinea": {"type": ["integer", "null"], "minimum": 1},
            "item": {"type": ["string", "null"]},
            "provenance": {"enum": list(PROVENANCES)},
            "source": {"type": ["string", "null"]},
            "complet": {"type": "boolean"},
            "texte": {"type": ["string", "null"]},
            "note": {"type": ["string", "null"]},
        },
        ["id", "section", "provenance"],
    )
    parameter = _obj(
        {"titre": text, "type": kind, "cite": cite,
         "valeurs": _array(_obj({"depuis": day, "valeur": literal}), minItems=1)}
    )
    convention = _obj(
        {"titre": text, "interprete": cite, "justification": text,
         "options": {"type": "object", "additionalProperties": text, "minProperties": 1}, "defaut": text}
    )
    rule = _obj(
        {
            "id": text,
            "titre": text,
            "cite": cite,
            "si": expression,
            "alors": {"type": "object", "propertyNames": {"enum": variables}, "additionalProperties": expression,
                      "minProperties": 1},
            "exception_de": {"anyOf": [text, _array(text)]},
            "valide": _obj({"du": day, "au": nullable(day)}, ["du"]),
            "explication": text,
        },
        ["id", "titre", "cite", "alors", "explication"],
    )
    check = _obj({"champ": text, "condition": expression, "message": text, "cite": cite},
                 ["champ", "condition", "message"])
    derogation = _obj(
        {
            "id": text, "type": text, "titre": text, "cite": cite,
            "conditions": _array(_obj({"libelle": text, "cite": cite, "condition": expression})),
            "plancher": {"enum": variables}, "periodes_restantes": {"enum": variables},
            "exigences": _array(_obj({"texte": text, "cite": cite})),
            "variable_ouverte": {"enum": variables},
            "explication_ouverte": text, "explication_fermee": text,
        },
        ["id", "type", "titre", "cite", "conditions", "explication_ouverte", "explication_fermee"],
    )
    aggregate = _obj(
        {"nom": text, "titre": text, "cite": cite, "somme": expression, "compte": expression,
         "parmi": expression, "pour": {"enum": list(AGGREGATE_SCOPES)}},
        ["nom", "titre", "cite"],
        oneOf=[{"required": ["somme"]}, {"required": ["compte"]}],
    )
    verification = _obj(
        {"id": text, "portee": {"enum": ["commune", "contrat"]}, "types": _array(text), "cite": cite,
         "condition": expression, "message": text}
    )
    article_file = _obj(
        {
            "article": text,
            "code": text,
            "version": _obj(
                {"debut": day, "fin": nullable(day), "loi": {"type": ["string", "null"]},
                 "debut_precision": {"enum": ["certaine", "inferee"]},
                 "legifrance": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]}},
                ["debut", "fin", "loi"],
            ),
            "sources": _array(_obj({"id": text, "description": text})),
            "alineas": _array(alinea),
            "parametres": {"type": ["object", "null"], "additionalProperties": parameter},
            "conventions": {"type": ["object", "null"], "additionalProperties": convention},
            "regles": {"type": ["array", "null"], "items": rule},
            "controles": {"type": ["array", "null"], "items": check},
            "derogations": {"type": ["array", "null"], "items": derogation},
            "agregats": {"type": ["array", "null"], "items": aggregate},
            "derogations_epci": {"type": ["array", "null"], "items": derogation},
            "verifications": {"type": ["array", "null"], "items": verification},
        },
        ["article", "code", "version", "alineas"],
        title="Fichier de règles d'une version d'article (rules/cch/<article>/<date>.yaml)",
    )
    laws = _obj(
        {
            "lois": {"type": "object", "additionalProperties": _obj(
                {"titre": text, "titre_court": text, "date": day, "nom_usuel": {"type": ["string", "null"]}},
                ["titre", "titre_court", "date"])},
            "regimes": _array(_obj({"id": text, "titre": text, "debut": day, "fin": nullable(day),
                                    "loi": {"type": ["string", "null"]}})),
            "periode": _obj({"defaut": _text(pattern=PERIOD), "justification_defaut": text, "date_reference": expression,
                             "periode_de_la_date": _array(text, minItems=2, maxItems=2), "premiere_annee": text}),
        },
        title="Fichier rules/lois.yaml",
    )
    field = _obj(
        {"type": kind, "libelle": text, "description": text, "requis": {"type": "boolean"},
         "variable": text, "defaut": literal, "min": literal, "max": literal, "motif": text},
        ["type", "libelle", "description", "requis"],
    )
    fields = {"type": "object", "additionalProperties": field}
    variable = _obj({"type": kind, "libelle": text, "description": text}, ["type", "libelle"])
    fragment = _obj({"texte": text, "si": expression}, ["texte"])
    sentence = _array(fragment)
    output_entry = {"anyOf": [
        text,
        {"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": {"anyOf": [
            _array(text), _obj({"citation_de": text, "libelle": text}, ["citation_de"])]}},
    ]}
    vocabulary = _obj(
        {
            "entrees": fields, "epci": fields, "contrat": fields, "contrat_commune": fields,
            "contrat_arrondissement": fields,
            "tableau_contrat": _array(_obj({"cle": text, "libelle": text, "valeur": expression, "total": expression})),
            "contexte": {"type": "object", "additionalProperties": variable},
            "variables": {"type": "object", "additionalProperties": variable},
            "sorties": _array(output_entry),
            "syntheses": _obj(
                {
                    "commune": sentence,
                    "membre_epci": sentence,
                    "bilan": _array(_obj({"cle": text, "libelle": text, "compte": expression, "somme": text,
                                          "unite": text}, ["cle", "libelle"],
                                         oneOf=[{"required": ["compte"]}, {"required": ["somme"]}])),
                    "historique": _obj({
                        "titre": text,
                        "colonnes": _array(text),
                        "tableau": _array(_obj({"libelle": text, "phrase": sentence})),
                        "graphique": _obj({"titre": text, "valeur": text, "etiquette": sentence}),
                    }),
                }
            ),
        },
        ["entrees", "contexte", "variables", "sorties", "syntheses"],
        title="Fichier rules/vocabulaire.yaml",
    )
    return {"fichier-article": article_file, "fichier-lois": laws, "fichier-vocabulaire": vocabulary}
