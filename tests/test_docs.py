"""The documentation site builds from the rule files without a warning, and shows the law.

Legal experts audit the encoding on this site: a rule whose metadata breaks a page (a citation,
a link, an explanation template) must fail the test suite, not go unnoticed.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

from cms_law import load_rulebook
from cms_law.docs.articles import LEGIFRANCE
from cms_law.docs.labels import version_path
from cms_law.docs.markup import GENERATED
from cms_law.schemas import NAMES

DOCS = Path(__file__).parent.parent / "docs"


def _text(page: Path) -> str:
    """A page as a reader sees it: no tags, entities decoded, spaces collapsed."""
    raw = page.read_text(encoding="utf-8")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


def test_the_site_builds_and_shows_the_law_its_rules_and_the_coverage(tmp_path: Path) -> None:
    out = tmp_path / "html"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-b",
            "html",
            "-d",
            str(tmp_path / "doctrees"),
            str(DOCS),
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr

    rule = load_rulebook().rule("L302-8.VII.1°")
    assert rule is not None
    citation = rule.citations[0]
    pages = out / GENERATED / version_path(citation.version)
    text_page = _text(pages.parent / f"{pages.name}.html")
    rules_page = _text(pages.parent / f"{pages.name}-regles.html")

    assert citation.alinea.texte is not None
    assert " ".join(citation.alinea.texte.split()) in text_page
    assert "L302-8.VII.1°" in text_page  # under its alinéa
    assert "L302-8.VII.1° — " + rule.titre in rules_page  # its own section
    assert "Exemple calculé par le moteur" in rules_page
    assert "Cas de test qui appliquent cette règle" in rules_page

    schemas = _text(out / GENERATED / "schemas.html")
    for name in NAMES:  # each schema, as cms-law schema prints it, written from the rule book
        assert f"cms-law schema {name}" in schemas
    assert load_rulebook().entrees[0].libelle in schemas

    coverage = _text(out / GENERATED / "couverture.html")
    assert "Alinéas qu'aucune règle n'encode" in coverage
    assert re.search(r"L\. 302-5, (al\. \d+|\d° \(al\. \d+\)) \(version du 14 décembre 2000\)", coverage)  # each alinéa's version

    # The API reference covers what the README offers from Python, in French.
    api = _text(out / "guide" / "integrer.html")
    for function in ["cms_law.evaluate", "cms_law.epci.evaluate_epci", "cms_law.contract.check_contract",
                     "cms_law.history.diff", "cms_law.history.commune_history", "cms_law.batch.run",
                     "cms_law.loader.load_rulebook_from"]:
        assert f"{function.rpartition('.')[0]}. {function.rpartition('.')[2]} (" in api, function
    assert "Évalue une commune." in api and "Evaluate one commune" not in api

    # No English word of Sphinx or of its theme reaches a reader.
    for page in [out / "index.html", out / "search.html", out / "guide" / "integrer.html"]:
        raw = page.read_text(encoding="utf-8")
        for english in ['value="Go"', "Powered by", 'aria-label="Main"', "Quick search"]:
            assert english not in raw, (page.name, english)
    assert 'value="Rechercher"' in (out / "index.html").read_text(encoding="utf-8")
    assert "Textes dont la provenance n'est pas authentique" in coverage
    if citation.version.legifrance:
        assert (
            LEGIFRANCE.format(citation.version.legifrance)
            in (pages.parent / f"{pages.name}.html").read_text()
        )
