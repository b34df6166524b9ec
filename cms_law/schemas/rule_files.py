"""The schemas of the rule files, as the loader reads them: an article version, lois.yaml,
vocabulaire.yaml. Unknown keys are refused; the types, provenances and scopes are the loader's,
the names a rule may conclude those of the vocabulary."""

from __future__ import annotations

from typing import Any

from ..loader import AGGREGATE_SCOPES, TYPES
from ..model import PROVENANCES, RuleBook
from .values import ISO_DATE, PERIOD, array, nullable, obj


def rule_file_definitions(book: RuleBook) -> dict[str, dict[str, Any]]:
    """The rule files' format, as the loader reads them (unknown keys are refused)."""
    words = {"type": "string", "pattern": "\\S"}
    day = ISO_DATE
    cite_one = {"anyOf": [words, obj({"article": words, "alinea": words})]}
    cite = {"anyOf": [cite_one, array(cite_one)]}
    expression = {"anyOf": [words, {"type": "boolean"}, {"type": "number"}],
                  "description": "une expression du langage des formules (rules/README.md)"}
    literal = {"type": ["string", "number", "boolean"]}
    kind = {"enum": list(TYPES)}
    variables = sorted(book.variables)
    alinea = obj(
        {
            "id": words,
            "section": {"type": ["string", "null"]},
            "alinea": {"type": ["integer", "null"], "minimum": 1},
            "item": {"type": ["string", "null"]},
            "provenance": {"enum": list(PROVENANCES)},
            "source": {"type": ["string", "null"]},
            "complet": {"type": "boolean"},
            "texte": {"type": ["string", "null"]},
            "note": {"type": ["string", "null"]},
            "sans_calcul": {"type": ["string", "null"],
                            "description": "pourquoi l'alinéa ne produit aucun chiffre, quand aucune règle ne l'encode"},
        },
        ["id", "section", "provenance"],
    )
    parameter = obj(
        {"titre": words, "type": kind, "cite": cite,
         "valeurs": array(obj({"depuis": day, "valeur": literal}), minItems=1)}
    )
    convention = obj(
        {"titre": words, "interprete": cite, "justification": words,
         "options": {"type": "object", "additionalProperties": words, "minProperties": 1}, "defaut": words,
         "justifications": {"type": "object", "additionalProperties": words}}
    )
    rule = obj(
        {
            "id": words,
            "titre": words,
            "cite": cite,
            "si": expression,
            "alors": {"type": "object", "propertyNames": {"enum": variables}, "additionalProperties": expression,
                      "minProperties": 1},
            "exception_de": {"anyOf": [words, array(words)]},
            "valide": obj({"du": day, "au": nullable(day)}, ["du"]),
            "explication": words,
        },
        ["id", "titre", "cite", "alors", "explication"],
    )
    check = obj({"champ": words, "condition": expression, "message": words, "cite": cite},
                 ["champ", "condition", "message"])
    derogation = obj(
        {
            "id": words, "type": words, "titre": words, "cite": cite,
            "conditions": array(obj({"libelle": words, "cite": cite, "condition": expression})),
            "appreciation": obj({"libelle": words, "cite": cite, "condition": expression, "explication": words},
                                ["libelle", "cite", "condition", "explication"]),
            "plancher": {"enum": variables}, "periodes_restantes": {"enum": variables},
            "exigences": array(obj({"texte": words, "cite": cite})),
            "variable_ouverte": {"enum": variables},
            "contrat": words, "compteur": words, "utilisee": expression,
            "explication_ouverte": words, "explication_fermee": words,
        },
        ["id", "type", "titre", "cite", "conditions", "explication_ouverte", "explication_fermee"],
    )
    aggregate = obj(
        {"nom": words, "titre": words, "cite": cite, "somme": expression, "compte": expression,
         "parmi": expression, "pour": {"enum": list(AGGREGATE_SCOPES)}},
        ["nom", "titre", "cite"],
        oneOf=[{"required": ["somme"]}, {"required": ["compte"]}],
    )
    verification = obj(
        {"id": words, "portee": {"enum": ["commune", "contrat"]}, "types": array(words), "cite": cite,
         "libelle": words, "condition": expression, "message": words, "si": expression, "sans_objet": words},
        ["id", "portee", "types", "cite", "libelle", "condition", "message"],
    )
    article_file = obj(
        {
            "article": words,
            "code": words,
            "version": obj(
                {"debut": day, "fin": nullable(day), "loi": {"type": ["string", "null"]},
                 "debut_precision": {"enum": ["certaine", "inferee"]},
                 "legifrance": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]},
                 "reprend": day},
                ["debut", "fin", "loi"],
            ),
            "sources": array(obj({"id": words, "description": words})),
            "alineas": array(alinea),
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
    laws = obj(
        {
            "lois": {"type": "object", "additionalProperties": obj(
                {"titre": words, "titre_court": words, "date": day, "nom_usuel": {"type": ["string", "null"]}},
                ["titre", "titre_court", "date"])},
            "regimes": array(obj({"id": words, "titre": words, "debut": day, "fin": nullable(day),
                                    "loi": {"type": ["string", "null"]}})),
            "periode": obj({"defaut": {"type": "string", "pattern": PERIOD}, "justification_defaut": words, "date_reference": expression,
                             "periode_de_la_date": array(words, minItems=2, maxItems=2), "premiere_annee": words}),
        },
        title="Fichier rules/lois.yaml",
    )
    field = obj(
        {"type": kind, "libelle": words, "description": words, "requis": {"type": "boolean"},
         "variable": words, "defaut": literal, "min": literal, "max": literal, "motif": words,
         "valeurs": {"type": "object", "additionalProperties": words}},
        ["type", "libelle", "description", "requis"],
    )
    fields = {"type": "object", "additionalProperties": field}
    variable = obj({"type": kind, "libelle": words, "description": words}, ["type", "libelle"])
    fragment = obj({"texte": words, "si": expression}, ["texte"])
    sentence = array(fragment)
    output_entry = {"anyOf": [
        words,
        {"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": {"anyOf": [
            array(words), obj({"citation_de": words, "libelle": words}, ["citation_de"])]}},
    ]}
    vocabulary = obj(
        {
            "entrees": fields, "epci": fields, "contrat": fields, "contrat_commune": fields,
            "contrat_arrondissement": fields,
            "tableau_contrat": array(obj({"cle": words, "libelle": words, "valeur": expression, "total": expression,
                                          "type": {"enum": sorted(TYPES)}}, ["cle", "libelle", "valeur", "total"])),
            "contexte": {"type": "object", "additionalProperties": variable},
            "variables": {"type": "object", "additionalProperties": variable},
            "sorties": array(output_entry),
            "syntheses": obj(
                {
                    "commune": sentence,
                    "membre_epci": sentence,
                    "bilan": array(obj({"cle": words, "libelle": words, "compte": expression, "somme": words,
                                          "unite": words}, ["cle", "libelle"],
                                         oneOf=[{"required": ["compte"]}, {"required": ["somme"]}])),
                    "historique": obj({
                        "titre": words,
                        "colonnes": array(words),
                        "tableau": array(obj({"libelle": words, "phrase": sentence})),
                        "graphique": obj({"titre": words, "valeur": words, "etiquette": sentence}),
                    }),
                }
            ),
        },
        ["entrees", "contexte", "variables", "sorties", "syntheses"],
        title="Fichier rules/vocabulaire.yaml",
    )
    return {"fichier-article": article_file, "fichier-lois": laws, "fichier-vocabulaire": vocabulary}
