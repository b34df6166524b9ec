"""The schemas of what the commands write: each result of ``--format json``, a batch's rows, the
list of problems of an invalid input.

The keys of a commune's result are the ``sorties`` of ``rules/vocabulaire.yaml``, typed by their
variables; the law versions, conventions, derogation types and the names an explanation step may
show are those of the rule book.
"""

from __future__ import annotations

from typing import Any

from ..model import PROVENANCES, RuleBook
from ..model.results import ETATS_DEROGATION
from ..version import FORMAT_JSON
from .fields import output_fields
from .values import ISO_DATE, PERIOD, array, nullable, obj, output_value, ref, text


def _names(book: RuleBook) -> list[str]:
    """Every name an explanation step may show as an input or a value."""
    names = {*book.variables, *book.contexte, *book.conventions, *(p.nom for p in book.parametres)}
    names |= {field.variable for field in book.entrees}
    return sorted(names)


def result_definitions(book: RuleBook) -> dict[str, dict[str, Any]]:
    provenance = {"enum": list(PROVENANCES)}
    citation = obj(
        {
            "citation": text(description="forme courte (« L. 302-8, VII, 1° (al. 3) », « L. 302-8, IX, al. 5 »)"),
            "texte_long": text(description="forme complète, avec le code et la rédaction appliquée"),
            "article": text(),
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
    step = obj(
        {
            "regle": text(),
            "nature": {"enum": ["regle", "convention"]},
            "titre": text(),
            "citations": array(text()),
            "references": array(ref("citation")),
            "entrees": names,
            "valeurs": names,
            "texte": text(description="l'étape en une phrase française"),
        },
        title="Étape du raisonnement",
    )
    short_citations = array(text())
    condition = obj({
        "libelle": text(), "citation": text(), "citations": short_citations,
        "remplie": {"type": ["boolean", "null"], "description": "null : les données ne le disent pas"},
    })
    derogation = obj(
        {
            "type": {"enum": sorted({d.type for d in (*book.derogations, *book.derogations_epci)})},
            "regle": text(),
            "titre": text(),
            "citations": short_citations,
            "ouverte": {"type": "boolean", "description": "vrai si ouverte de plein droit (etat « ouverte »)"},
            "etat": {"enum": list(ETATS_DEROGATION), "description": (
                "ouverte ; a_l_appreciation_du_prefet : conditions remplies, mais ouverte seulement si le "
                "représentant de l'État y consent ; fermee : une condition n'est pas remplie ; "
                "indeterminee : les données ne disent pas si une condition est remplie")},
            "plancher": {"type": ["integer", "null"]},
            "periodes_restantes": {"type": ["integer", "null"],
                                   "description": "null à l'appréciation du préfet : la durée est la sienne"},
            "conditions": array(condition),
            "appreciation": condition,
            "exigences": array(obj({"texte": text(), "citations": short_citations})),
            "explication": text(),
        },
        ["type", "regle", "titre", "citations", "ouverte", "etat", "conditions", "exigences", "explication"],
        title="Dérogation",
    )
    conventions = obj(
        {
            name: obj({"valeur": {"enum": list(c.options)}, "par_defaut": {"type": "boolean"}}, title=c.titre)
            for name, c in book.conventions.items()
        },
        [],
        title="Option retenue de chaque convention",
    )
    figures = _figures(book)
    result = obj(
        {**figures, "derogations": array(ref("derogation")), "conventions": ref("conventions"),
         "explication": array(ref("etape")), "produit_par": ref("produit-par")},
        # produit_par: in every result, but not repeated in the communes of an EPCI or a contract
        [*figures, "derogations", "conventions"],
        title="Résultat de l'évaluation d'une commune",
    )
    aggregate = obj(
        {
            "valeur": output_value(None),
            "titre": text(),
            "citations": short_citations,
            "communes": array(obj({"nom": text(), "valeur": output_value(None)})),
            "indeterminees": array(text()),
            "texte": text(),
        },
        title="Agrégat sur les communes",
    )
    aggregates = {"type": "object", "propertyNames": {"enum": sorted(a.nom for a in book.agregats)},
                  "additionalProperties": ref("agregat")}
    regime = {"enum": [r.id for r in book.regimes]}
    epci_result = obj(
        {
            "epci": output_fields(book.entrees_epci),
            "periode": text(pattern=PERIOD),
            "version_loi": regime,
            "communes": array(ref("resultat")),
            "agregats": aggregates,
            "derogations": array(ref("derogation")),
            "produit_par": ref("produit-par"),
        },
        title="Résultat de l'évaluation d'un EPCI",
    )
    finding = obj({"regle": text(), "citations": short_citations, "commune": {"type": ["string", "null"]},
                   "periode": text(pattern=PERIOD), "texte": text()}, ["regle", "citations", "commune", "texte"])
    columns = {c.cle: {"title": c.libelle, **output_value(None)} for c in book.tableau_contrat}
    table_row = obj({"periode": text(pattern=PERIOD), "commune": text(), **columns}, ["commune", *columns],
                    title="Ligne du tableau des objectifs (modèle de contrat)")
    contract_result = obj(
        {
            "valide": {"type": "boolean"},
            "type": {"type": "string"},
            "periode": text(pattern=PERIOD),
            "periodes": array(text(pattern=PERIOD), minItems=2),
            "version_loi": regime,
            "contrat": output_fields((*book.entrees_epci, *book.entrees_contrat)),
            "violations": array(finding),
            "verifications_non_evaluees": array(finding),
            "verifications": array(obj({"regle": text(), "citations": short_citations,
                                        "commune": {"type": ["string", "null"]}, "periode": text(pattern=PERIOD),
                                        "statut": {"enum": ["respectee", "violee", "non_verifiable", "sans_objet"]},
                                        "texte": text()}, ["regle", "citations", "commune", "statut", "texte"],
                                       title="Vérification faite, et son résultat")),
            "tableau": array(table_row),
            "agregats": aggregates,
            "par_periode": array(
                obj({"periode": text(pattern=PERIOD), "version_loi": regime, "valide": {"type": "boolean"},
                     "agregats": aggregates}, ["periode", "version_loi", "valide", "agregats"],
                    title="Une période d'un contrat de plusieurs périodes : sa loi, son verdict, ses totaux"),
                minItems=2,
                description="contrat de plusieurs périodes seulement ; « periode », « version_loi » et « agregats » "
                            "ci-dessus sont alors ceux de la première",
            ),
            "communes": array(ref("resultat")),
            "produit_par": ref("produit-par"),
        },
        ["valide", "type", "periode", "version_loi", "contrat", "violations", "verifications_non_evaluees",
         "verifications", "tableau", "agregats", "communes"],
        title="Vérification d'un contrat de mixité sociale",
    )
    problem = obj({"champ": {"type": ["string", "null"]}, "message": text()})
    errors = obj(
        {"erreurs": array(problem, minItems=1),
         "identifiant": text(description="identifiant d'une erreur interne, à rappeler en la signalant")},
        ["erreurs"],
        title="Entrée invalide : chaque problème nomme son champ",
    )
    return {
        "produit-par": produced_by(book),
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


def produced_by(book: RuleBook, law_versions: dict[str, Any] | None = None) -> dict[str, Any]:
    """``produit_par``: what produced a result (:mod:`cms_law.explain.provenance`)."""
    regime = {"enum": [r.id for r in book.regimes]}
    return obj(
        {
            "cms_law": text(description="la version de cms-law", pattern=r"^[0-9]+\.[0-9]+\.[0-9]+"),
            "format_json": {"const": FORMAT_JSON, "description": "la version de ce format (README, « Versions »)"},
            "empreinte_regles": {
                "type": ["string", "null"], "pattern": "^[0-9a-f]{64}$",
                "description": "sha256 des fichiers de règles chargés : pour chacun, dans l'ordre de son chemin"
                " relatif, ce chemin en UTF-8, un octet nul et le sha256 de son contenu",
            },
            "version_loi": law_versions or regime,
            "conventions": {"type": "object", "description": "l'option appliquée de chaque convention",
                            "propertyNames": {"enum": sorted(book.conventions)}, "additionalProperties": text()},
        },
        title="Ce qui a produit ce résultat",
    )


def _figures(book: RuleBook) -> dict[str, Any]:
    """The keys a result and a batch row share: the commune read, the period, the law, ``sorties``."""
    figures: dict[str, Any] = {
        "commune": output_fields(book.entrees),
        "periode": text(pattern=PERIOD),
        "version_loi": {"enum": [r.id for r in book.regimes]},
        "version_loi_libelle": text(),
    }
    for entry in book.sorties:
        if isinstance(entry, str):
            figures[entry] = {"title": book.label_of(entry), **nullable(output_value(book.type_of(entry)))}
            continue
        ((key, spec),) = entry.items()
        if isinstance(spec, list):
            group = obj({n: {"title": book.label_of(n), **nullable(output_value(book.type_of(n)))} for n in spec})
            figures[key] = {"title": key, **nullable(group)}
        else:
            figures[key] = {"title": spec.get("libelle", key),
                            "description": f"citation courte de la règle qui a fixé {spec['citation_de']}",
                            "type": ["string", "null"]}
    return figures


def command_definitions(book: RuleBook) -> dict[str, dict[str, Any]]:
    validity = obj({"debut": ISO_DATE, "fin": nullable(ISO_DATE)})
    layout = book.historique
    columns = layout.colonnes if layout else ()
    figures = _figures(book)
    period_row = obj(
        {
            "periode": text(pattern=PERIOD),
            "version_loi": figures["version_loi"],
            **{column: figures[column] for column in columns},
            "loi": {"type": ["string", "null"]},
            "erreurs": array(obj({"champ": {"type": ["string", "null"]}, "message": text()})),
        },
        title="Une période de l'historique (ses chiffres, ou les problèmes qui l'ont empêchée)",
    )
    history = obj(
        {"commune": text(), "periodes": array(period_row),
         "produit_par": produced_by(book, array({"enum": [r.id for r in book.regimes]}))},
        title="Historique d'une commune",
    )
    regime = nullable(obj({"id": text(), "titre": text(), "debut": ISO_DATE, "fin": nullable(ISO_DATE)}))
    version = nullable(obj({"fichier": text(), "debut": ISO_DATE, "fin": nullable(ISO_DATE),
                             "debut_precision": {"enum": ["certaine", "inferee"]}, "loi": {"type": ["string", "null"]}}))
    rule_state = nullable({"type": "object", "description": "la règle ou le paramètre à cette date"})
    change = obj(
        {
            "nature": {"enum": ["regle", "parametre"]},
            "id": text(),
            "titre": text(),
            "changement": {"enum": ["ajout", "suppression", "modification"]},
            "avant": rule_state,
            "apres": rule_state,
            "aspects": array({"enum": ["si", "alors", "citations", "explication", "valeur"]}),
        }
    )
    diff = obj(
        {
            "date_avant": ISO_DATE,
            "date_apres": ISO_DATE,
            "regime_avant": regime,
            "regime_apres": regime,
            "articles": array(obj({"article": text(), "version_avant": version, "version_apres": version})),
            "changements": array(change),
        },
        title="Ce qui a changé dans la loi encodée entre deux dates",
    )
    citations = array(ref("citation"))
    rule_condition = obj({"libelle": text(), "citations": citations, "condition": text()})
    rules = obj(
        {
            "regimes": array(obj({"id": text(), "titre": text(), "validite": validity})),
            "articles": array(obj({
                "article": text(),
                "fichier": text(),
                "validite": validity,
                "debut_precision": {"enum": ["certaine", "inferee"]},
                "loi": {"type": ["string", "null"]},
                "sources": {"type": "object", "additionalProperties": text(),
                            "description": "chaque source de la version, par son identifiant : où la trouver"},
                "alineas": array(obj({
                    "id": text(),
                    "citation": text(description="forme courte de la citation"),
                    "section": {"type": ["string", "null"]},
                    "alinea": {"type": ["integer", "null"],
                               "description": "rang dans la section, items compris, comme le code compte"},
                    "item": {"type": ["string", "null"]},
                    "provenance": {"enum": list(PROVENANCES)},
                    "source": {"type": ["string", "null"]},
                    "texte_complet": {"type": "boolean"},
                    "sans_calcul": {"type": ["string", "null"],
                                    "description": "pourquoi l'alinéa ne produit aucun chiffre"},
                })),
            })),
            "regles": array(ref("regle")),
            "parametres": array(ref("parametre")),
            "conventions": array(ref("convention")),
            "derogations": array(obj({
                "id": text(), "type": text(), "titre": text(),
                "niveau": {"enum": ["commune", "epci"], "description": "dérogation d'une commune ou de l'EPCI"},
                "fichier": text(), "validite": validity, "citations": citations,
                "conditions": array(rule_condition),
                "appreciation": {"anyOf": [rule_condition, {"type": "null"}],
                                 "description": "le cas où la dérogation est à l'appréciation du préfet"},
                "plancher": {"type": ["string", "null"], "description": "la variable du plancher"},
                "periodes_restantes": {"type": ["string", "null"], "description": "la variable des périodes restantes"},
                "exigences": array(obj({"texte": text(), "citations": citations})),
            }, title="Dérogation (une version)")),
            "verifications": array(obj({
                "id": text(), "portee": {"enum": ["commune", "contrat"]}, "types": array(text()),
                "fichier": text(), "validite": validity, "citations": citations,
                "si": {"type": ["string", "null"]}, "condition": text(),
                "libelle": text(description="la phrase d'une vérification respectée"),
                "message": text(description="celle d'une violation"),
                "sans_objet": {"type": ["string", "null"]},
            }, title="Vérification d'un contrat proposé (une version)")),
        },
        title="Les règles, paramètres, conventions, dérogations et vérifications encodés",
    )
    rule = obj(
        {
            "id": text(),
            "titre": text(),
            "fichier": text(),
            "validite": validity,
            "citations": citations,
            "si": {"type": ["string", "null"]},
            "alors": {"type": "object", "propertyNames": {"enum": sorted(book.variables)},
                      "additionalProperties": text()},
            "exception_de": array(text()),
        },
        title="Règle (une version)",
    )
    parameter = obj(
        {
            "nom": text(),
            "titre": text(),
            "fichier": text(),
            "validite": validity,
            "citations": citations,
            "valeurs": array(obj({"depuis": ISO_DATE, "valeur": output_value(None)})),
        },
        title="Paramètre (une version)",
    )
    convention = obj(
        {
            "nom": {"enum": list(book.conventions)},
            "titre": text(),
            "interprete": citations,
            "justification": text(),
            "options": {"type": "object", "additionalProperties": text()},
            "defaut": text(),
            "justifications": {"type": "object", "additionalProperties": text(),
                               "description": "pourquoi choisir chaque autre option que celle par défaut"},
        },
        title="Convention (là où le texte est muet)",
    )
    batch_keys = {key: value for key, value in figures.items()}
    batch_row = obj(
        {
            "ligne": {"type": "integer", "minimum": 1, "description": "numéro de la ligne dans le fichier d'entrée"},
            **batch_keys,
            "derogations": array(ref("derogation")),
            "conventions": ref("conventions"),
            "resume": text(description="le résultat en une phrase"),
            "explication": array(ref("etape")),
            "produit_par": ref("produit-par"),
        },
        ["ligne", *batch_keys, "derogations", "conventions", "resume", "produit_par"],
        title="Ligne de résultats d'un lot (JSON lines)",
    )
    batch_error = obj(
        {
            "ligne": {"type": "integer", "minimum": 0},
            "nom": {"type": "string"},
            "code_insee": {"type": "string"},
            "erreurs": array(obj({"champ": text(), "message": text(), "valeur": {"type": "string"}}), minItems=1),
        },
        title="Ligne rejetée d'un lot (JSON lines)",
    )
    verification = obj(
        {
            "paires_examinees": {"type": "integer", "minimum": 0,
                                 "description": "paires de règles en vigueur ensemble concluant un même nom sans exception_de"},
            "chevauchements": array(obj({
                "regles": array(text(), minItems=2, maxItems=2),
                "fichiers": array(text(), minItems=2, maxItems=2),
                "noms": array(text(), minItems=1),
                "jour": ISO_DATE,
                "temoin": nullable({"type": "object", "additionalProperties": output_value(None),
                                    "description": "des valeurs sous lesquelles les deux règles s'appliquent et concluent autrement (null : inconnue)"}),
                "complet": {"type": "boolean", "description": "faux : recherche abandonnée, trop de combinaisons"},
            })),
        },
        title="Règles qui peuvent conclure un même nom ensemble (cms-law rules --verifier)",
    )
    return {
        "historique": history,
        "diff": diff,
        "regles": rules,
        "verification-regles": verification,
        "regle": rule,
        "parametre": parameter,
        "convention": convention,
        "lot-resultat": batch_row,
        "lot-erreur": batch_error,
    }
