"""The law's text as the service serves it: one HTML page per article version, alinéa by alinéa.

Each citation of an explanation links to its alinéa here (``/citation?citation=…&version=…`` or
``&periode=…`` redirects to the page and the alinéa's anchor), so that the page a user reads cites the very text of the rule book the
service applies, with its provenance — or says that the text is not available. Built once at start.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping

import attrs

from ..explain import french
from ..model import PROVENANCES, Alinea, ArticleVersion, Citation, Period, RuleBook

#: Where an article version's public text lies, when the rule file names its Légifrance id.
LEGIFRANCE = "https://www.legifrance.gouv.fr/codes/article_lc/{}"


def version_path(version: ArticleVersion) -> str:
    """``cch/L302-8/2022-02-23``: the version's rule file, which also names its page."""
    return version.fichier.removesuffix(".yaml")


def anchor(alinea: Alinea) -> str:
    """The alinéa's anchor in its page (``alinea-VII.1°``, ``alinea-III-bis``), as in the docs site."""
    return "alinea-" + alinea.id.replace(" ", "-")


@attrs.frozen
class Texts:
    """Every page, by path, and where each short citation points in each article version."""

    pages: Mapping[str, str]
    citations: Mapping[str, tuple[tuple[Period, str], ...]]

    def url_of(self, citation: str, day: dt.date) -> str | None:
        """The alinéa ``citation`` of the version in force on ``day``, in any of its short forms
        (« L. 302-8, VII, 1° (al. 3) », « L. 302-8, VII, 1° », « L. 302-8, VII, al. 3 »)."""
        return next((url for validity, url in self.citations.get(citation, ()) if validity.contains(day)), None)


def build_texts(book: RuleBook) -> Texts:
    pages: dict[str, str] = {"": _index(book)}
    citations: dict[str, dict[Period, str]] = {}
    for version in book.articles:
        path = version_path(version)
        pages[path] = _version_page(version)
        for alinea in version.alineas:
            for form in Citation(version, alinea).formes:
                urls = citations.setdefault(form, {})
                # An alinéa split by provenance (« I.al4 », « I.al4.fin ») is cited by its first part.
                urls.setdefault(version.validite, f"/textes/{path}#{anchor(alinea)}")
    return Texts(pages, {court: tuple(urls.items()) for court, urls in citations.items()})


def _page(title: str, body: list[str]) -> str:
    e = html.escape
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="fr">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{e(title)} — cms-law</title>",
            '<link rel="stylesheet" href="/static/style.css">',
            "</head>",
            "<body>",
            '<nav aria-label="fil d\'Ariane"><a href="/">cms-law</a> › <a href="/textes">les textes</a></nav>',
            "<main>",
            *body,
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
    )


def _validity(version: ArticleVersion) -> str:
    end = french(version.validite.fin, "date") if version.validite.fin else "…"
    inferred = " (date de début inférée)" if version.debut_precision == "inferee" else ""
    return f"en vigueur du {french(version.validite.debut, 'date')} au {end}{inferred}"


def _index(book: RuleBook) -> str:
    e = html.escape
    body = [
        "<h1>Les textes appliqués</h1>",
        "<p>Chaque version d'article encodée, alinéa par alinéa, avec la provenance de son texte.</p>",
        "<ul>",
    ]
    for version in sorted(book.articles, key=lambda v: (v.article, v.validite.debut)):
        body.append(
            f'<li><a href="/textes/{e(version_path(version))}">article {e(version.article)}</a>, '
            f"{e(version.redaction)}, {e(_validity(version))}</li>"
        )
    body.append("</ul>")
    return _page("Les textes appliqués", body)


def _version_page(version: ArticleVersion) -> str:
    e = html.escape
    title = f"Article {version.article} du {version.code}"
    body = [
        f"<h1>{e(title)}</h1>",
        f"<p>{e(version.redaction[:1].upper() + version.redaction[1:])}, {e(_validity(version))}.</p>",
    ]
    if version.legifrance:
        url = LEGIFRANCE.format(version.legifrance)
        body.append(f'<p>Texte consolidé sur Légifrance : <a href="{e(url)}">{e(version.legifrance)}</a></p>')
    if version.note:
        body.append(f'<p class="note">{e(version.note)}</p>')
    for alinea in version.alineas:
        citation = Citation(version, alinea)
        body += [
            f'<section class="alinea" id="{e(anchor(alinea))}" aria-labelledby="{e(anchor(alinea))}-titre">',
            f'<h2 id="{e(anchor(alinea))}-titre">{e(citation.court)}</h2>',
            f'<p class="provenance">Provenance : {e(PROVENANCES[alinea.provenance])}'
            + (f" — source : {e(version.sources.get(alinea.source, alinea.source))}" if alinea.source else "")
            + ("" if alinea.complet else " — texte tronqué")
            + "</p>",
        ]
        if alinea.texte:
            body.append(f"<blockquote>{e(alinea.texte)}</blockquote>")
        else:
            body.append('<p class="manquant">Texte non disponible : cms-law ne le paraphrase pas.</p>')
        if alinea.note:
            body.append(f'<p class="note">{e(alinea.note)}</p>')
        body.append("</section>")
    return _page(title, body)
