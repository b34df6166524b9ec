"""The vocabulary page: input fields of each kind of file, context, computed values, parameters,
conventions, and the summaries of ``syntheses`` (presentation, not law).
"""

from __future__ import annotations

from ..french import french
from ..model import Fragment, InputField, Rule, RuleBook
from .labels import name_label, period_text, rule_label
from .markup import code, esc, heading, ref, table, target
from .site import Site, input_sections

def input_table(fields: tuple[InputField, ...], anchored: set[str]) -> list[str]:
    """One row per field; a variable gets its link target once, where it first appears."""
    rows = []
    for field in fields:
        bounds = [
            f"défaut : {french(field.defaut, field.type)}" if field.defaut is not None else "",
            f"min. : {french(field.minimum, field.type)}" if field.minimum is not None else "",
            f"max. : {french(field.maximum, field.type)}" if field.maximum is not None else "",
        ]
        key = code(field.cle) + (f" (variable {code(field.variable)})" if field.variable != field.cle else "")
        anchor = [] if field.variable in anchored else target(name_label(field.variable))
        anchored.add(field.variable)
        rows.append(
            [
                [*anchor, key],
                esc(field.libelle),
                field.type,
                "oui" if field.requis else "non",
                esc(", ".join(b for b in bounds if b)) or "—",
                esc(field.description),
            ]
        )
    return table(["Clé", "Libellé", "Type", "Requis", "Défaut, bornes", "Description"], rows, [18, 18, 8, 7, 12, 37])


def vocabulary_page(site: Site) -> list[str]:
    book = site.book
    producers: dict[str, list[Rule]] = {}
    for rule in book.regles:
        for name in rule.alors:
            producers.setdefault(name, []).append(rule)
    lines = [
        *heading("Vocabulaire", "=", overline=True),
        f"Les noms qu'emploient les règles : données d'entrée, contexte, valeurs calculées "
        f"({code('rules/vocabulaire.yaml')}), paramètres et conventions (fichiers des articles).",
        "",
    ]
    anchored: set[str] = set()
    for title, intro, fields in input_sections(book):
        if fields:
            lines += [*heading(title, "-"), intro, ""]
            lines += input_table(fields, anchored)
    lines += [*heading("Contexte", "-"), "Les valeurs que le moteur déduit de la période évaluée.", ""]
    lines += table(
        ["Nom", "Libellé", "Type"],
        [[[*target(name_label(v.nom)), code(v.nom)], esc(v.libelle), v.type] for v in book.contexte.values()],
        [30, 55, 15],
    )
    lines += [*heading("Valeurs calculées", "-"), "Les valeurs que concluent les règles.", ""]
    rows = [
        [
            [*target(name_label(v.nom)), code(v.nom)],
            esc(v.libelle),
            v.type,
            ", ".join(ref(rule_label(rule), rule.id) for rule in producers.get(v.nom, [])) or "—",
        ]
        for v in book.variables.values()
        if v.nom not in site.inputs
    ]
    lines += table(["Nom", "Libellé", "Type", "Conclue par"], rows, [24, 34, 8, 34])
    lines += [
        *heading("Paramètres", "-"),
        "Les chiffres que fixe la loi, avec leurs valeurs datées ; un chiffre repris par plusieurs "
        "versions d'un article a une ligne par version.",
        "",
    ]
    rows = []
    for parameter in sorted(book.parametres, key=lambda p: (p.nom, p.validite.debut)):
        first = not rows or rows[-1][0][-1] != code(parameter.nom)
        rows.append(
            [
                [*(target(name_label(parameter.nom)) if first else []), code(parameter.nom)],
                esc(parameter.titre),
                esc(site.parameter_values(parameter)),
                esc(period_text(parameter.validite)),
                " ; ".join(site.citation_link(c) for c in parameter.citations),
            ]
        )
    lines += table(["Nom", "Titre", "Valeurs", "Version de l'article", "Cite"], rows, [22, 28, 16, 16, 18])
    lines += [
        *heading("Conventions", "-"),
        "Là où le texte est muet, cms-law fait un choix explicite, que l'utilisateur peut changer : "
        f"{code('--convention NOM=OPTION')} en ligne de commande,"
        f" {code('conventions={NOM: OPTION}')} en Python.",
        "",
    ]
    for convention in book.conventions.values():
        lines += [
            *target(name_label(convention.nom)),
            *heading(f"{convention.nom} — {convention.titre}", "~"),
        ]
        lines += [
            f":Interprète: {' ; '.join(site.citation_link(c) for c in convention.interprete)}",
            f":Justification: {esc(convention.justification)}",
            f":Fichier de règles: {code('rules/' + convention.fichier)}",
            "",
        ]
        lines += table(
            ["Option", "Signification", "Justification"],
            [
                [code(option), esc(text), "par défaut : voir ci-dessus" if option == convention.defaut
                 else esc(convention.justifications[option])]
                for option, text in convention.options.items()
            ],
            [20, 35, 45],
        )
    return lines + summaries_section(book)


#: What each summary sentence of ``syntheses`` is for, as the vocabulary page says it.
SUMMARY_USES = {
    "commune": f"la colonne {code('resume')} de {code('cms-law batch')}, après « Nom (code), période : »",
    "membre_epci": f"la ligne de chaque commune dans le texte de {code('cms-law evaluate-epci')}",
}


def _fragment_cells(fragment: Fragment) -> list[str]:
    """A fragment of a summary sentence as table cells: its condition, its text."""
    return [code(fragment.si.source) if fragment.si else "toujours", code(fragment.texte)]


def summaries_section(book: RuleBook) -> list[str]:
    """The summary sentences and the batch totals of ``syntheses``: presentation, not law."""
    lines = [
        *heading("Résumés", "-"),
        "Comment les résultats se résument : ce n'est pas la loi mais sa présentation, écrite dans "
        f"{code('rules/vocabulaire.yaml')} ({code('syntheses')}). Une phrase assemble, dans l'ordre, les "
        f"morceaux dont la condition est vraie ; {code('{nom.motif}')} est le titre de la règle qui a "
        f"établi la valeur, {code('{nom.citation}')} sa citation.",
        "",
    ]
    for use, fragments in book.syntheses.items():
        lines += [f"{code(use)} : {SUMMARY_USES.get(use, use)}.", ""]
        lines += table(
            ["Condition", "Texte"],
            [_fragment_cells(f) for f in fragments],
            [35, 65],
        )
    lines += [f"{code('bilan')} : les totaux affichés à la fin de {code('cms-law batch')}.", ""]
    rows = [
        [
            code(total.cle),
            esc(total.libelle),
            f"nombre de communes où {code(total.compte.source)}" if total.compte else f"somme de {code(total.somme or '')}",
            esc(total.unite or ""),
        ]
        for total in book.bilan
    ]
    lines += table(["Clé", "Libellé", "Calcul", "Unité"], rows, [22, 28, 35, 15])
    history = book.historique
    if history is None:
        return lines
    lines += [
        f"{code('historique')} : ce que {code('cms-law history')} montre de chaque période — colonnes CSV "
        f"et JSON {', '.join(code(c) for c in history.colonnes)} ; barres du graphique : "
        f"{code(history.valeur_graphique)} ; tableau en français :",
        "",
    ]
    rows = [
        [esc(column.libelle), *_fragment_cells(f)]
        for column in history.tableau
        for f in column.phrase
    ]
    rows += [["étiquette d'une barre", *_fragment_cells(f)] for f in history.etiquette]
    return lines + table(["Colonne", "Condition", "Texte"], rows, [20, 35, 45])
