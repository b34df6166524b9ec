"""The legal test cases on the site: their index, one page per case file, and the case tables the
rules pages show — inputs, expected results and what the engine gave, side by side.
"""

from __future__ import annotations

from pathlib import Path

from ..cases import CaseResult
from ..errors import InputError
from ..model import Citation
from .labels import alinea_label, case_label, rule_label
from .markup import code, doc, esc, folded, heading, line_block, paragraphs, ref, table, target
from .site import Site, applied_rules

#: Case lists longer than this are folded, so that a rule's formulas stay in sight.
FOLD_AFTER = 8


def header_comment(path: Path) -> str:
    """The comment a case file opens with: its authors' summary of what the file checks."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(lines)


def cases_index_page(site: Site, folder: Path) -> list[str]:
    files = list(dict.fromkeys(run.fichier for run in site.runs))
    lines = [
        *heading("Cas de test juridiques", "=", overline=True),
        f"Les {len(site.runs)} cas de {code('tests/cas/')} : une commune, la période et les conventions "
        "éventuelles, le résultat attendu (ou l'erreur attendue). Chacun a été évalué par le moteur à la "
        "construction du site ; le résultat calculé est montré à côté de l'attendu.",
        "",
    ]
    rows = [
        [
            doc(f"cas/{name}", name),
            esc(header_comment(folder / f"{name}.yaml")) or "—",
            str(sum(1 for run in site.runs if run.fichier == name)),
        ]
        for name in files
    ]
    lines += table(["Fichier", "Ce qu'il vérifie (en-tête du fichier)", "Cas"], rows, [25, 65, 10])
    lines += [".. toctree::", "   :hidden:", "", *(f"   {name}" for name in files), ""]
    return lines


def case_page(site: Site, name: str, folder: Path) -> list[str]:
    """The cases of one file: each with its inputs, what it expects, and what the engine gave."""
    lines = [
        *heading(f"Cas de test : {name}", "=", overline=True),
        f":Fichier: {code(f'tests/cas/{name}.yaml')}",
        "",
        *paragraphs(header_comment(folder / f"{name}.yaml")),
    ]
    for run in (run for run in site.runs if run.fichier == name):
        cas = run.cas
        lines += [*target(case_label(run.id)), *heading(run.id, "-"), *paragraphs(cas.description)]
        lines += [
            f":Vérifie: {verifie_links(site, run)}",
            f":Période: {esc(cas.periode or 'celle des règles, par défaut')}",
            *([f":Conventions: {case_conditions(run)}"] if cas.conventions else []),
            f":Résultat du moteur: {'conforme' if not run.ecarts else '**NON CONFORME**'}",
            "",
            ".. rubric:: Entrées",
            "",
        ]
        lines += table(
            ["Champ", "Libellé", "Valeur"],
            [
                [
                    code(str(key)),
                    esc(site.fields[key].libelle) if key in site.fields else "*champ inconnu*",
                    esc(site.given(value)),
                ]
                for key, value in cas.entree.items()
            ],
            [30, 45, 25],
        )
        if cas.erreur is not None:
            refused = (
                line_block(f"{code(p.champ)} : {esc(p.message)}" for p in run.erreur.problemes)
                if isinstance(run.erreur, InputError)
                else [esc(run.erreur or "aucune erreur : l'entrée a été acceptée")]
            )
            lines += [".. rubric:: Erreur attendue", ""]
            lines += table(
                ["Champ que l'erreur doit nommer", "Erreurs données par le moteur"],
                [[code(str(cas.erreur.get("champ"))), refused]],
                [30, 70],
            )
            continue
        lines += [".. rubric:: Résultat attendu", ""]
        rows = []
        for output, expected in (cas.attendu or {}).items():
            leaves = site.expected_leaves(output, expected)
            shown = [
                esc(f"{key.removeprefix(output + '.')} : {site.shown(leaf, value)}")
                for key, leaf, value in leaves
            ]
            departures = run.ecarts_par_sortie.get(output, ())
            rows.append(
                [
                    code(output),
                    esc(site.output_label(output)),
                    esc(site.shown(output, expected))
                    if len(leaves) == 1 and leaves[0][0] == output
                    else line_block(shown),
                    line_block(f"**✗** {esc(departure)}" for departure in departures)
                    if departures
                    else "✓ identique",
                ]
            )
        lines += table(["Sortie", "Libellé", "Attendu", "Résultat du moteur"], rows, [22, 28, 20, 30])
        if run.erreur is not None:
            lines += [f"**Erreur de l'évaluation** : {esc(run.erreur)}", ""]
        rules = applied_rules(run, site.book)
        lines += [".. rubric:: Règles appliquées, dans l'ordre du raisonnement", ""]
        lines += [" → ".join(ref(rule_label(rule), rule.id) for rule in rules) or "aucune", ""]
    return lines


def cases_table(site: Site, runs: list[CaseResult], title: str) -> list[str]:
    """The cases, their inputs and what they expect; folded when long."""
    if not runs:
        return []
    rows = [
        [
            site.case_link(run)
            + (f" ({case_conditions(run)})" if case_conditions(run) else ""),
            verifie_links(site, run),
            case_inputs(site, run),
            case_expected(site, run),
        ]
        for run in runs
    ]
    return [
        f".. rubric:: {title}",
        "",
        *folded(
            f"{len(runs)} cas de test : entrées et résultats attendus",
            table(["Cas", "Vérifie", "Entrées", "Attendu"], rows, [22, 16, 31, 31]),
            opened=len(runs) <= FOLD_AFTER,
        ),
    ]


# Plain text, not code: a rule's case table can have a hundred rows, and each markup weighs.
def case_inputs(site: Site, run: CaseResult) -> list[str]:
    return line_block(esc(f"{key} : {site.given(value)}") for key, value in run.cas.entree.items())


def case_expected(site: Site, run: CaseResult) -> list[str]:
    return line_block(
        esc(f"{key} : {site.shown(leaf, value)}")
        for name, expected in (run.cas.attendu or {}).items()
        for key, leaf, value in site.expected_leaves(name, expected)
    )


def verifie_links(site: Site, run: CaseResult) -> str:
    """What a case says it checks, each citation linked to its alinéa when one alone has that form.

    Only shown: which rules a case exercises is learnt by evaluating it, not from this label.
    """
    day = run.evaluation.periode.date_reference if run.evaluation else None
    shown = []
    for citation in run.cas.verifie:
        found = [
            (version, alinea)
            for version in site.book.articles
            if day is None or version.validite.contains(day)
            for alinea in version.alineas
            if Citation(version, alinea).court == citation
        ]
        shown.append(ref(alinea_label(*found[0]), citation) if len(found) == 1 else esc(citation))
    return " ; ".join(shown)


def case_conditions(run: CaseResult) -> str:
    """The period and the conventions a case is evaluated with, when not the defaults."""
    parts = [f"période {run.cas.periode}"] if run.cas.periode else []
    parts += [f"{name}={option}" for name, option in run.cas.conventions.items()]
    return esc(", ".join(parts)) if parts else ""
