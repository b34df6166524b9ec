"""The schemas of the auditors' tools: a legal case file and ``cms-law test``'s report.

A case's ``attendu`` is a part of a commune's result: its keys are those of the ``resultat``
schema, written from the rule book like it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .values import array, obj, ref, text


def tool_definitions(defs: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The definitions of the tools' files and outputs, given the result definitions they refer to."""
    result_keys = sorted(defs["resultat"]["properties"])
    cited = {"anyOf": [text(), array(text(), minItems=1)],
             "description": "l'alinéa vérifié, « L. 302-8, VII, 1° » (ou une liste ; « entrée » pour un contrôle de saisie)"}
    common = {
        "id": text(pattern="\\S", description="identifiant unique du cas, en kebab-case"),
        "verifie": cited,
        "description": text(pattern="\\S", description="ce que la loi dit de cette situation, et ce que l'on attend"),
        "periode": text(description="facultatif, AAAA-AAAA (défaut : celle des règles) ; un cas d'erreur peut en donner une invalide"),
        "conventions": {"type": "object", "additionalProperties": {"type": "string"},
                        "description": "facultatif : NOM: OPTION, comme --convention"},
    }
    commune_case = obj(
        {
            **common,
            "entree": {"type": "object", "description": "la commune, comme pour cms-law evaluate (schéma « commune »)"},
            "attendu": {
                "type": "object", "minProperties": 1, "propertyNames": {"enum": result_keys},
                "description": "une partie du résultat JSON de cms-law evaluate : seules les clés données sont"
                " vérifiées ; taux et écarts en décimaux entre guillemets, comparés numériquement",
            },
            "erreur": obj({"champ": text(description="le champ que l'erreur doit nommer")},
                          description="l'entrée doit être refusée en nommant ce champ"),
        },
        ["id", "verifie", "description", "entree"],
        oneOf=[{"required": ["attendu"]}, {"required": ["erreur"]}],
        title="Cas d'une commune",
    )
    contract_case = obj(
        {
            **common,
            "contrat": {"type": "object", "description": "le contrat, comme pour cms-law check-contract (schéma « contrat »)"},
            "valide": {"type": "boolean", "description": "le verdict attendu"},
            "violations": array(text(), description="exactement les violations attendues : « REGLE » ou « REGLE / COMMUNE »"),
        },
        ["id", "verifie", "description", "contrat", "valide"],
        title="Cas d'un contrat proposé",
    )
    case_file = obj(
        {
            "cas": array({"anyOf": [ref("cas-commune"), ref("cas-contrat")]}, minItems=1),
            "definitions": {"description": "libre : les ancres YAML (&nom) que les cas reprennent (*nom, <<: *nom)"},
        },
        ["cas"],
        title="Fichier de cas de test juridiques (cms-law test)",
    )
    nullable_text = {"type": ["string", "null"]}
    figure = obj(
        {
            "sortie": text(),
            "attendu": {"description": "la valeur attendue, telle que le cas l'écrit"},
            "obtenu": {"description": "la valeur du résultat JSON (null : absente)"},
            "reussi": {"type": "boolean"},
            "ecarts": array(text()),
            "regles": array(text(), description="les règles qui ont donné cette sortie"),
            "citations": array(text(), description="les alinéas qu'elles citent"),
        }
    )
    case_result = obj(
        {
            "id": text(),
            "type": {"enum": ["commune", "contrat"]},
            "verifie": array(text()),
            "description": text(),
            "reussi": {"type": "boolean"},
            "ecarts": array(text()),
            "chiffres": array(figure),
        }
    )
    count = {"type": "integer", "minimum": 0}
    report = obj(
        {
            "reussi": {"type": "boolean", "description": "tous les cas réussis, aucun fichier invalide"},
            "bilan": obj({key: count for key in ("cas", "reussis", "echecs", "fichiers", "fichiers_invalides")}),
            "fichiers": array(obj({
                "fichier": text(),
                "erreur": {"anyOf": [obj({"message": text(), "cas": nullable_text, "champ": nullable_text}),
                                     {"type": "null"}]},
                "cas": array(case_result),
            })),
        },
        title="Rapport de cms-law test",
    )
    return {"cas": case_file, "cas-commune": commune_case, "cas-contrat": contract_case, "resultat-test": report}
