"""The OpenAPI 3.1 document of the service, written at start from the schemas and the examples.

Its schemas are those of :mod:`cms_law.schemas` (the same as ``cms-law schema NAME``); each
endpoint that takes a body shows an example file of the package and the answer the service gives
it, computed by the handlers themselves, so that the document cannot show a stale answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import __version__
from ..model import RuleBook
from ..schemas import DATE_TEXT, PERIOD, definitions, ref, rewrite_refs
from . import handlers
from .settings import Settings

COMPONENTS = "#/components/schemas/"
JSON = "application/json"
YAML = "application/yaml"


def _ref(name: str) -> dict[str, str]:
    return rewrite_refs(ref(name), COMPONENTS)


def _query(name: str, description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema, **extra}


PERIOD_PARAMETER = _query("periode", "période triennale AAAA-AAAA (défaut : celle des règles)",
                          {"type": "string", "pattern": PERIOD}, example="2023-2025")
CONVENTION_PARAMETER = _query(
    "convention",
    "option d'une convention, NOM=OPTION, répétable (voir GET /parametres) ; dans le corps : « conventions »",
    {"type": "array", "items": {"type": "string", "pattern": "^[^=]+=.+$"}},
    style="form", explode=True, example=["arrondi_objectifs=plus_proche"],
)


def _error_responses(*statuses: int) -> dict[str, Any]:
    meaning = {
        400: "corps illisible (JSON ou YAML invalide, texte qui n'est pas de l'UTF-8)",
        404: "ressource inconnue",
        413: "corps trop grand, ou lot de trop de lignes (limites du serveur : GET /sante)",
        415: "type de contenu non accepté (Content-Type)",
        422: "entrée invalide : chaque problème nomme son champ, comme cms-law … --format json",
        500: "erreur interne : le corps donne un identifiant à signaler",
    }
    return {
        str(status): {"description": meaning[status], "content": {JSON: {"schema": _ref("erreurs")}}}
        for status in statuses
    }


def _envelope(key: str, names: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """The description itself, or ``{key: description, parameters…}``."""
    return {
        "anyOf": [
            _ref(key),
            {
                "type": "object",
                "properties": {
                    key.split("-")[0]: _ref(key),
                    **names,
                    "conventions": {"type": "object", "additionalProperties": {"type": "string"}},
                },
                "required": [key.split("-")[0]],
                "additionalProperties": False,
            },
        ]
    }


def _post(summary: str, description: str, example: Any, body_schema: dict[str, Any], result: str,
          answer: Any, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "description": description,
            "parameters": parameters,
            "requestBody": {
                "required": True,
                "content": {
                    JSON: {"schema": body_schema, "example": example.body},
                    YAML: {"schema": body_schema, "example": example.content},
                },
            },
            "responses": {
                "200": {"description": "le résultat, tel que l'écrit --format json",
                        "content": {JSON: {"schema": _ref(result), "example": answer}}},
                **_error_responses(400, 413, 415, 422, 500),
            },
        }
    }


def _get(summary: str, result: dict[str, Any], parameters: list[dict[str, Any]] | None = None,
         media: str = JSON, errors: tuple[int, ...] = (500,)) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": parameters or [],
            "responses": {"200": {"description": summary, "content": {media: {"schema": result}}},
                          **_error_responses(*errors)},
        }
    }


def openapi_document(book: RuleBook, settings: Settings, examples: Mapping[str, Any]) -> dict[str, Any]:
    date = {"type": "string", "format": "date", "pattern": DATE_TEXT}
    commune, epci, contract = examples["/evaluer"], examples["/evaluer-epci"], examples["/verifier-contrat"]
    history, inventory = examples["/historique"], examples["/lot"]
    # The package's own example, answered whatever the server's row limit.
    batch = handlers.batch_rows(book, inventory.body.encode("utf-8"), {"format": ["json"]}, None)
    paths = {
        "/evaluer": _post(
            "Évaluer une commune",
            "cms-law evaluate : taux cible, logements manquants, objectif triennal, dérogations, et le"
            " raisonnement étape par étape, chaque étape citant ses alinéas. Le corps est la description"
            " de la commune (comme le fichier de cms-law evaluate), ou {\"commune\": …, \"periode\": …}.",
            commune,
            _envelope("commune", {"periode": {"type": "string", "pattern": PERIOD}, "date": date,
                                  "pourquoi_pas": {"type": "boolean"}}),
            "resultat",
            handlers.evaluate(book, commune.body),
            [PERIOD_PARAMETER, _query("date", "évaluer la période qui contient cette date (au lieu de periode)",
                                      date, example="2021-06-01"), CONVENTION_PARAMETER,
             _query("pourquoi_pas", "oui : lister aussi les règles examinées qui ne se sont pas appliquées, avec la"
                    " condition en échec et les valeurs lues (cms-law evaluate --pourquoi-pas)",
                    {"enum": ["oui", "non"]}, example="oui")],
        ),
        "/evaluer-epci": _post(
            "Évaluer les communes d'un EPCI",
            "cms-law evaluate-epci : les objectifs et planchers de chaque commune, les agrégats de l'EPCI.",
            epci, _envelope("epci", {"periode": {"type": "string", "pattern": PERIOD}}), "resultat-epci",
            handlers.evaluate_epci(book, epci.body), [PERIOD_PARAMETER, CONVENTION_PARAMETER],
        ),
        "/verifier-contrat": _post(
            "Vérifier un contrat de mixité sociale",
            "cms-law check-contract : valide, ou toutes ses violations (un contrat non conforme est une"
            " réponse 200 dont « valide » est faux).",
            contract, _envelope("contrat", {"periode": {"type": "string", "pattern": PERIOD}}), "resultat-contrat",
            handlers.check_contract(book, contract.body), [PERIOD_PARAMETER, CONVENTION_PARAMETER],
        ),
        "/historique": _post(
            "Les objectifs d'une commune, période après période",
            "cms-law history : chaque période sous la loi qui la régit ; sous « periodes », les données propres"
            " à chaque période.",
            history,
            _envelope("commune-historique", {"du": {"type": "string", "pattern": PERIOD},
                                             "au": {"type": "string", "pattern": PERIOD}}),
            "historique",
            handlers.history(book, history.body),
            [_query("du", "première période (défaut : la première de la loi encodée)", {"type": "string", "pattern": PERIOD}),
             _query("au", "dernière période (défaut : celle des règles)", {"type": "string", "pattern": PERIOD}),
             CONVENTION_PARAMETER],
        ),
        "/lot": {
            "post": {
                "summary": "Évaluer un inventaire CSV",
                "description": (
                    "cms-law batch sur le CSV envoyé (format du README, « Le fichier CSV ») : une ligne de sortie par"
                    " ligne d'entrée, dans l'ordre, envoyée dès qu'elle est calculée. En JSON lines, une ligne"
                    " évaluée est celle du fichier de résultats (schéma lot-resultat), une ligne rejetée celle du"
                    " fichier d'erreurs (lot-erreur). En CSV, les colonnes des résultats plus « erreurs »."
                    f" Au plus {settings.max_rows} lignes et {settings.max_body} octets."
                ),
                "parameters": [
                    PERIOD_PARAMETER, CONVENTION_PARAMETER,
                    _query("format", "csv (défaut) ou json (JSON lines)", {"enum": ["csv", "json"]}),
                    _query("explication", "oui : ajouter l'explication complète", {"enum": ["oui", "non"]}),
                ],
                "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"},
                                                                          "example": inventory.content}}},
                "responses": {
                    "200": {
                        "description": "une ligne par ligne d'entrée",
                        "content": {
                            "text/csv": {"schema": {"type": "string"}},
                            "application/x-ndjson": {
                                "schema": {"anyOf": [_ref("lot-resultat"), _ref("lot-erreur")]},
                                "example": "".join(batch.lines),
                            },
                        },
                    },
                    **_error_responses(400, 413, 415, 422, 500),
                },
            }
        },
        "/regles": _get("Toutes les règles, paramètres, conventions, dérogations et vérifications"
                        " (cms-law rules --format json)", _ref("regles")),
        "/regles/{id}": {
            "get": {
                "summary": "Une règle, chacune de ses versions",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
                                "example": "L302-8.VII.1°"}],
                "responses": {
                    "200": {"description": "la règle", "content": {JSON: {"schema": {
                        "type": "object", "properties": {"id": {"type": "string"},
                                                         "versions": {"type": "array", "items": _ref("regle")}},
                        "required": ["id", "versions"]}}}},
                    **_error_responses(404),
                },
            }
        },
        "/parametres": _get("Les paramètres datés et les conventions", {
            "type": "object",
            "properties": {"parametres": {"type": "array", "items": _ref("parametre")},
                           "conventions": {"type": "array", "items": _ref("convention")}},
            "required": ["parametres", "conventions"],
        }),
        "/diff": _get(
            "Ce qui a changé dans la loi encodée entre deux dates (cms-law diff)", _ref("diff"),
            [{**_query("du", "première date", date, example="2022-02-22"), "required": True},
             {**_query("au", "seconde date", date, example="2022-02-23"), "required": True}],
            errors=(422, 500),
        ),
        "/schemas": _get("Les schémas JSON disponibles", {"type": "object", "additionalProperties": {"type": "string"}}),
        "/schemas/{nom}": {
            "get": {
                "summary": "Un schéma JSON (draft 2020-12), comme cms-law schema NOM",
                "parameters": [{"name": "nom", "in": "path", "required": True, "schema": {"type": "string"},
                                "example": "resultat"}],
                "responses": {"200": {"description": "le schéma", "content": {JSON: {"schema": {"type": "object"}}}},
                              **_error_responses(404)},
            }
        },
        "/textes/{chemin}": {
            "get": {
                "summary": "Le texte d'une version d'article, alinéa par alinéa, avec sa provenance (page HTML)",
                "parameters": [{"name": "chemin", "in": "path", "required": True, "schema": {"type": "string"},
                                "example": "cch/L302-8/2022-02-23"}],
                "responses": {"200": {"description": "la page", "content": {"text/html": {"schema": {"type": "string"}}}},
                              **_error_responses(404)},
            }
        },
        "/citation": {
            "get": {
                "summary": "Renvoie (303) vers l'alinéa cité, dans la page de son texte",
                "parameters": [
                    {**_query("citation", "la citation courte (« L. 302-8, VII, 1° »)", {"type": "string"}),
                     "required": True, "example": "L. 302-8, VII, al. 1"},
                    _query("version", "le début de la version citée (version_debut d'une référence)", date,
                           example="2022-02-23"),
                    _query("periode", "ou la période évaluée : la version en vigueur pour elle",
                           {"type": "string", "pattern": PERIOD}),
                ],
                "responses": {"303": {"description": "l'adresse de l'alinéa"}, **_error_responses(404, 422)},
            }
        },
        "/sante": _get("L'état du service, sa version et ses limites", {"type": "object"}),
        "/openapi.json": _get("Ce document", {"type": "object"}),
        "/documentation": _get("La documentation interactive de l'API", {"type": "string"}, media="text/html"),
        "/": _get("La page française : évaluer une commune, vérifier un contrat", {"type": "string"}, media="text/html"),
    }
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "cms-law",
            "version": __version__,
            "summary": "La loi SRU et le contrat de mixité sociale, en règles citées et expliquées",
            "description": (
                "Les objectifs SRU d'une commune (CCH L. 302-5, L. 302-8, L. 302-8-1), chaque chiffre expliqué en"
                " français et cité à l'alinéa. Les réponses sont exactement le JSON de la ligne de commande"
                " (--format json) : mêmes clés, mêmes décimaux exacts en chaîne. Les corps sont en JSON"
                " (application/json) ou en YAML (application/yaml), comme les fichiers de la ligne de commande."
            ),
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "paths": paths,
        "components": {"schemas": rewrite_refs(definitions(book), COMPONENTS)},
    }
