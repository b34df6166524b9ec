"""The schemas of the auditors' tools: a legal case file and ``cms-law test``'s report.

A case's ``attendu`` is a part of a commune's result: its keys are those of the ``resultat``
schema, written from the rule book like it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import CHANGE_KINDS, RuleBook
from .values import DATE_TEXT, DECIMAL, ISO_DATE, array, obj, ref, text


#: The results that carry a reform's stamp when computed under one.
STAMPED = ("resultat", "resultat-epci", "resultat-contrat", "historique", "lot-resultat", "resultat-test")


def reform_definitions(book: RuleBook) -> dict[str, dict[str, Any]]:
    """A reform file, and the stamp of a result computed under a reform."""
    nullable_text = {"type": ["string", "null"]}
    date = {"type": "string", "format": "date", "pattern": DATE_TEXT}
    justification = text(pattern="\\S", description="pourquoi ce changement")
    rule_fields = {
        "id": text(pattern="\\S"),
        "titre": text(),
        "cite": {"description": "les alinéas cités, comme dans un fichier de règles (« VII.al1 », ou {article, alinea})"},
        "si": text(description="la condition, dans le langage des règles"),
        "alors": {"type": "object", "additionalProperties": text(), "minProperties": 1},
        "explication": text(),
        "exception_de": {"anyOf": [text(), array(text())]},
        "valide": obj({"du": date, "au": date}, ["du"]),
    }
    parameter = obj(
        {
            "nom": {"enum": sorted({p.nom for p in book.parametres})},
            "valeur": {"type": ["string", "number", "integer", "boolean"], "description": "comme dans un fichier de règles : « 40 % »"},
            "depuis": {**date, "description": "facultatif : à partir de ce jour (sinon toutes les versions du paramètre)"},
            "justification": justification,
        },
        ["nom", "valeur", "justification"],
    )
    rule_ids = {"enum": sorted({r.id for r in book.regles})}
    reform_file = obj(
        {
            "titre": text(pattern="\\S"),
            "justification": text(pattern="\\S"),
            "parametres": array(parameter),
            "regles_ajoutees": array(obj({"article": {"enum": sorted({a.article for a in book.articles})},
                                          **rule_fields, "justification": justification},
                                         ["article", "id", "titre", "cite", "alors", "explication", "justification"])),
            "regles_remplacees": array(obj({**rule_fields, "id": rule_ids, "depuis": date, "justification": justification},
                                           ["id", "justification"])),
            "regles_neutralisees": array(obj({"id": rule_ids, "depuis": date, "justification": justification},
                                             ["id", "justification"])),
        },
        ["titre", "justification"],
        title="Fichier de réforme (--reforme)",
    )
    stamp = obj(
        {
            "titre": text(),
            "justification": nullable_text,
            "empreinte": text(pattern="^[0-9a-f]{64}$", description="sha256 du contenu canonique de la réforme"),
            "source": nullable_text,
            "modifications": array(obj({
                "nature": {"enum": list(CHANGE_KINDS)},
                "cible": text(),
                "valeur": nullable_text,
                "depuis": {"anyOf": [ISO_DATE, {"type": "null"}]},
                "justification": nullable_text,
            })),
        },
        title="Réforme sous laquelle ce résultat est calculé : ce n'est pas celui de la loi en vigueur",
    )
    number = {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": DECIMAL}],
              "description": "un effectif en entier ; un taux ou des points en décimal exact entre guillemets"}
    value = {"anyOf": [number, {"type": "null"}]}
    totals = obj({"communes": {"type": "integer"}, "avant": number, "apres": number, "difference": number,
                  "communes_en_hausse": {"type": "integer"}, "communes_en_baisse": {"type": "integer"},
                  "communes_inchangees": {"type": "integer"}})
    row = obj({
        "ligne": {"type": "integer"}, "nom": text(), "code_insee": text(), "departement": text(),
        "avant": value, "apres": value, "difference": value,
        "regime_avant": nullable_text, "regime_apres": nullable_text,
        "soumise_avant": {"type": ["boolean", "null"]}, "soumise_apres": {"type": ["boolean", "null"]},
        "changement_de_regime": {"type": "boolean"},
    })
    side = obj({"libelle": text(), "reforme": {"anyOf": [ref("reforme-tampon"), {"type": "null"}]}})
    comparison = obj(
        {
            "grandeur": text(),
            "avant": side,
            "apres": side,
            "total": totals,
            "departements": {"type": "object", "additionalProperties": totals},
            "changements_de_regime": array(row),
            "communes": array(row),
            "rejetees": array({"type": "object", "description": "une ligne rejetée d'un côté (schéma lot-erreur, et « cote »)"}),
        },
        title="Effet d'une réforme sur un inventaire (cms-law compare)",
    )
    any_value = {"description": "une valeur du résultat, telle que le JSON l'écrit (absente : null)"}
    step = {"anyOf": [obj({"regle": nullable_text, "titre": nullable_text, "citations": {"type": ["array", "null"]},
                           "texte": nullable_text}), {"type": "null"}]}
    stamp_or_null = {"anyOf": [ref("reforme-tampon"), {"type": "null"}]}
    results_diff = obj(
        {
            "avant": text(),
            "apres": text(),
            "identiques": {"type": "boolean"},
            "reforme_avant": stamp_or_null,
            "reforme_apres": stamp_or_null,
            "chiffres": array(obj({"chemin": text(), "avant": any_value, "apres": any_value})),
            "separations": array(obj({
                "chemin": text(description="vide : le raisonnement de la commune ; sinon celui d'un membre ou d'une période"),
                "etape": {"type": "integer", "minimum": 1},
                "avant": step,
                "apres": step,
                "valeurs": array(obj({"nom": text(), "avant": any_value, "apres": any_value})),
            })),
        },
        title="Deux résultats comparés (cms-law diff-resultats)",
    )
    return {"reforme": reform_file, "reforme-tampon": stamp, "comparaison": comparison, "diff-resultats": results_diff}


def stamp_results(defs: dict[str, dict[str, Any]]) -> None:
    """Each result that may be computed under a reform may carry its stamp, ``reforme``; a commune's
    result, on request, the rules that did not apply (``pourquoi_pas``)."""
    for name in STAMPED:
        defs[name]["properties"] = {"reforme": ref("reforme-tampon"), **defs[name]["properties"]}
    scalar = {"type": ["string", "integer", "boolean", "null"]}
    why_not = obj(
        {
            "nature": {"enum": ["regle", "derogation"]},
            "regle": text(),
            "titre": text(),
            "citations": array(text()),
            "raison": {"enum": ["condition_fausse", "donnees_manquantes", "exception"],
                       "description": "condition fausse, données qui ne permettent pas de décider, ou exception appliquée à sa place"},
            "condition": {"type": ["string", "null"], "description": "le terme de la condition en échec"},
            "valeurs": {"type": "object", "additionalProperties": scalar, "description": "les valeurs qu'il lit"},
            "ecartee_par": array(text()),
            "texte": text(),
        },
        title="Règle examinée qui ne s'est pas appliquée (--pourquoi-pas)",
    )
    defs["pourquoi-pas"] = why_not
    defs["resultat"]["properties"]["pourquoi_pas"] = array(ref("pourquoi-pas"))


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
            "non_verifiables": array(
                text(), description="exactement les vérifications non vérifiables attendues (vide par défaut), écrites de même"
            ),
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
