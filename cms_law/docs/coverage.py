"""The coverage page, the audit's to-do list computed at each build: alinéas no rule encodes, rules
no case applies, derogations no case opens, texts not authentic or incomplete, failing cases, and,
article version by article version, each alinéa's provenance and how it is encoded.
"""

from __future__ import annotations

from typing import Any

from ..french import french
from ..model import ArticleVersion
from .labels import (
    alinea_label,
    alinea_reference,
    derogation_label,
    period_text,
    rule_label,
    source_label,
    version_title,
)
from .markup import code, esc, heading, line_block, ref, table
from .site import Site

def coverage_page(site: Site) -> list[str]:
    """The audit's to-do list, computed: what the rules leave out, what the tests leave out."""
    book = site.book
    all_alineas = [(version, alinea) for version in book.articles for alinea in version.alineas]
    uncited, not_authentic, incomplete = [], [], []
    for version, alinea in all_alineas:
        cited = site.citing(version, alinea)
        # « L. 302-5, al. 3 » exists in several versions: the cell names which one.
        reference = (
            f"{ref(alinea_label(version, alinea), alinea_reference(version, alinea))}"
            f" (version du {french(version.validite.debut, 'date')})"
        )
        relying = (
            ", ".join(
                [
                    *(ref(rule_label(r), r.id) for r in cited["regles"]),
                    *(ref(derogation_label(d), d.id) for d in cited["derogations"]),
                ]
            )
            or "—"
        )
        if not site.encodes(cited) and not alinea.sans_calcul:
            checks = ", ".join(code(check.champ) for check in cited["controles"])
            uncited.append([reference, f":provenance-abregee:`{alinea.provenance}`", checks or "—"])
        if alinea.provenance != "authentique":
            source = ref(source_label(version, alinea.source), alinea.source) if alinea.source else "aucune"
            not_authentic.append([reference, f":provenance-abregee:`{alinea.provenance}`", source, relying])
        elif not alinea.complet:
            incomplete.append([reference, esc(alinea.note or "—"), relying])
    untested = [
        [ref(rule_label(rule), rule.id), esc(rule.titre), code("rules/" + rule.fichier)]
        for rule in book.regles
        if not site.cases_of(rule)
    ]
    never_open = [
        [ref(derogation_label(d), d.id), esc(d.titre), code("rules/" + d.fichier)]
        for d in book.derogations
        if not site.cases_opening(d)
    ]
    failing = [
        [site.case_link(run), line_block(esc(departure) for departure in run.ecarts)]
        for run in site.runs
        if run.ecarts
    ]
    authentic = sum(1 for _, alinea in all_alineas if alinea.provenance == "authentique")
    lines = [
        *heading("Couverture : la liste de l'audit", "=", overline=True),
        "Calculée à chaque construction du site, depuis les fichiers de règles et l'évaluation de chaque "
        f"cas de test : {len(all_alineas)} alinéas enregistrés (dont {authentic} au texte authentique), "
        f"{len(book.regles)} règles, {len(book.derogations)} dérogations, {len(book.parametres)} paramètres, "
        f"{len(book.conventions)} conventions, {len(site.runs)} cas de test.",
        "",
    ]

    sections: list[tuple[str, str, list[str], list[list[Any]], list[int], str]] = [
        (
            "Alinéas qu'aucune règle n'encode",
            "Aucune règle, aucune dérogation, aucun paramètre ni aucune convention ne les cite (un contrôle "
            "des entrées peut les citer), et leur fichier ne déclare pas qu'ils ne produisent aucun chiffre "
            "(``sans_calcul``).",
            ["Alinéa", "Provenance", "Contrôles qui le citent"],
            uncited,
            [45, 30, 25],
            "Aucun : chaque alinéa est cité par une règle, une dérogation, un paramètre ou une convention.",
        ),
        (
            "Règles qu'aucun cas de test n'applique",
            "Aucun cas de test de ``tests/cas/`` n'aboutit à un raisonnement qui passe par elles.",
            ["Règle", "Titre", "Fichier"],
            untested,
            [30, 45, 25],
            "Aucune : chaque règle est appliquée par au moins un cas de test.",
        ),
        (
            "Dérogations qu'aucun cas de test n'ouvre",
            "Aucun cas de test ne décrit une commune qui remplit leurs conditions.",
            ["Dérogation", "Titre", "Fichier"],
            never_open,
            [30, 45, 25],
            "Aucune : chaque dérogation est ouverte dans au moins un cas de test.",
        ),
        (
            "Textes dont la provenance n'est pas authentique",
            "Texte cité par le guide officiel, texte du projet de loi ou texte non disponible : à vérifier "
            "sur le texte consolidé, et avec lui les règles qui s'y fondent.",
            ["Alinéa", "Provenance", "Source", "Règles et dérogations qui le citent"],
            not_authentic,
            [25, 20, 20, 35],
            "Aucun : tous les textes sont authentiques.",
        ),
        (
            "Extraits authentiques incomplets",
            "Texte authentique, mais tronqué : la suite est à rechercher.",
            ["Alinéa", "Note", "Règles et dérogations qui le citent"],
            incomplete,
            [25, 50, 25],
            "Aucun.",
        ),
        (
            "Cas de test dont le résultat calculé diffère de l'attendu",
            "Sorties (ou erreur) où le moteur ne donne pas ce qu'attend le cas.",
            ["Cas", "Écarts"],
            failing,
            [50, 50],
            "Aucun : le moteur donne le résultat attendu pour chaque cas.",
        ),
    ]
    for title_text, explanation, header, rows, widths, none in sections:
        lines += [*heading(f"{title_text} ({len(rows)})", "-"), explanation, ""]
        lines += table(header, rows, widths) if rows else [f"*{none}*", ""]
    lines += [
        *heading("Alinéa par alinéa, version par version", "-"),
        "Pour chaque version d'article : la provenance et la source de chaque alinéa, et ce qui l'encode "
        "(règles, dérogations, paramètres, conventions), ou pourquoi il ne produit aucun chiffre.",
        "",
    ]
    for version in book.articles:
        lines += _version_table(site, version)
    return lines


def _version_table(site: Site, version: ArticleVersion) -> list[str]:
    """One article version: each alinéa, its provenance and source, and how it is encoded."""
    rows = []
    for alinea in version.alineas:
        cited = site.citing(version, alinea)
        if site.encodes(cited):
            encoding = ", ".join(
                [
                    *(ref(rule_label(r), r.id) for r in cited["regles"]),
                    *(ref(derogation_label(d), d.id) for d in cited["derogations"]),
                    *(code(p.nom) for p in cited["parametres"]),
                    *(code(c.nom) for c in cited["conventions"]),
                ]
            )
        elif alinea.sans_calcul:
            encoding = "sans calcul : " + esc(alinea.sans_calcul)
        else:
            encoding = "**non encodé**"
        source = ref(source_label(version, alinea.source), alinea.source) if alinea.source else "aucune"
        rows.append(
            [
                ref(alinea_label(version, alinea), alinea_reference(version, alinea)),
                f":provenance-abregee:`{alinea.provenance}`",
                source,
                encoding,
            ]
        )
    return [
        *heading(version_title(version), "~"),
        f"Fichier {code('rules/' + version.fichier)}, en vigueur {period_text(version.validite)}.",
        "",
        *table(["Alinéa", "Provenance", "Source", "Encodage"], rows, [22, 16, 17, 45]),
    ]
