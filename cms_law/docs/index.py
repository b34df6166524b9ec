"""The home of the law pages: every alinéa of every version in one table (the summary included by
the site's home page), the regimes, and every rule and derogation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .. import __version__
from ..french import french
from ..model import Alinea, ArticleVersion, Derogation, Rule, RuleBook
from .labels import alinea_label, alinea_title, derogation_label, period_text, rule_label, version_path
from .markup import code, doc, esc, heading, line_block, ref, table, target
from .site import Site

def article_versions(book: RuleBook) -> dict[str, list[ArticleVersion]]:
    """The versions of each article, articles in the code's order (L. 302-8 before L. 302-8-1)."""

    def code_order(version: ArticleVersion) -> tuple[str, list[int]]:
        return re.sub(r"[^A-Z]", "", version.article), [int(n) for n in re.findall(r"\d+", version.article)]

    grouped: dict[str, list[ArticleVersion]] = {}
    for version in sorted(book.articles, key=code_order):
        grouped.setdefault(version.article, []).append(version)
    return {
        article: sorted(versions, key=lambda v: v.validite.debut) for article, versions in grouped.items()
    }


def summary_page(site: Site) -> list[str]:
    """Every alinéa of every version, one link each, grouped by section: the home page's table."""
    rows = []
    for article, versions in article_versions(site.book).items():
        for version in versions:
            by_section: dict[str | None, list[Alinea]] = {}
            for alinea in version.alineas:
                by_section.setdefault(alinea.section, []).append(alinea)
            cell = []
            for section, alineas in by_section.items():
                # Within its section's line, an alinéa is named by what follows the section: « 1° ».
                shown = []
                for alinea in alineas:
                    rest = alinea_title(version, alinea).removeprefix(section or "").lstrip(", ")
                    shown.append(
                        rest
                        or (f"al. {alinea.alinea}" if alinea.alinea is not None else section or alinea.id)
                    )
                links = [ref(alinea_label(version, a), text) for a, text in zip(alineas, shown, strict=True)]
                if section and shown == [section]:
                    cell.append(links[0])
                else:
                    cell.append((f"**{esc(section)}** : " if section else "") + " · ".join(links))
            rules_page = site.rules_page(version)
            rules = doc(rules_page, f"{len(site.rules_of(version))} règles") if rules_page else "aucune règle"
            rows.append(
                [
                    f"**{esc(article)}**",
                    [
                        doc(version_path(version), f"version du {french(version.validite.debut, 'date')}"),
                        "",
                        esc(period_text(version.validite)),
                    ],
                    line_block(cell),
                    rules,
                ]
            )
    return table(["Article", "Version", "Alinéas (un lien chacun)", "Encodage"], rows, [12, 24, 50, 14])


def index_page(site: Site) -> list[str]:
    book = site.book
    lines = [
        *target("cms-law-textes"),
        *heading("La loi et son encodage", "=", overline=True),
        "Chaque version d'article a deux pages : son texte, alinéa par alinéa, avec la provenance de "
        "chaque alinéa et, sous chacun, les règles, paramètres et conventions qui le citent ; puis "
        "ses règles en détail, avec les cas de test qui les appliquent. Tout est écrit à la "
        f"construction du site depuis les fichiers de ``rules/`` (cms-law {__version__}).",
        "",
        ".. include:: sommaire.inc",
        "",
        *heading("Régimes encodés", "-"),
        "Un régime est l'état du droit encodé entre deux dates ; chaque résultat nomme le sien.",
        "",
    ]
    for regime in book.regimes:
        lines.append(f"- {code(regime.id)} : {esc(regime.titre)}, {esc(period_text(regime.validite))}.")
    lines += ["", *target("cms-law-regles"), *heading("Toutes les règles et dérogations", "-")]
    lines += [
        "L'identifiant d'une règle est celui que cite chaque étape d'une explication.",
        "",
        *_rules_table(site, "Règle", [(rule_label(rule), rule) for rule in book.regles]),
    ]
    if book.derogations:
        lines += _rules_table(site, "Dérogation", [(derogation_label(d), d) for d in book.derogations])
    lines += [".. toctree::", "   :hidden:", ""]
    for versions in article_versions(book).values():
        for version in versions:
            lines.append(f"   {version_path(version)}")
            if site.rules_page(version):
                lines.append(f"   {site.rules_page(version)}")
    return [*lines, ""]


def _rules_table(site: Site, kind: str, items: Sequence[tuple[str, Rule | Derogation]]) -> list[str]:
    """Rules (or derogations) with their anchors: id, title, citations, validity."""
    rows = [
        [
            ref(label, item.id),
            esc(item.titre),
            " ; ".join(site.citation_link(c) for c in item.citations),
            esc(period_text(item.validite)),
        ]
        for label, item in items
    ]
    return table([kind, "Titre", "Cite", "En vigueur"], rows, [24, 34, 24, 18])
