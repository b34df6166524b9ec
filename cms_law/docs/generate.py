"""Writing the pages, when the build starts (``builder-inited``): the rule book loaded, every legal
case run, each page written from them into ``_generated/`` — rewritten only when it changed, and
removed when it no longer has a subject.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

from ..cases import load_cases, run_cases
from ..loader import load_rulebook
from .articles import version_page
from .cases import case_page, cases_index_page
from .coverage import coverage_page
from .index import index_page, summary_page
from .labels import version_path
from .markup import GENERATED
from .rules import rules_page
from .schemas import schemas_page
from .site import Site
from .vocabulary import vocabulary_page

def generate(app: Sphinx) -> None:
    """Write the pages about the law into ``_generated/``; remove those that no longer have a subject."""
    book = load_rulebook()
    folder = (Path(app.confdir) / app.config.cms_law_depot / "tests" / "cas").resolve()
    site = Site(book, run_cases(load_cases(folder), book))
    pages: dict[str, list[str]] = {
        "sommaire.inc": summary_page(site),
        "index.rst": index_page(site),
        "vocabulaire.rst": vocabulary_page(site),
        "couverture.rst": coverage_page(site),
        "schemas.rst": schemas_page(book),
        "cas/index.rst": cases_index_page(site, folder),
    }
    for version in book.articles:
        pages[f"{version_path(version)}.rst"] = version_page(site, version)
        if site.rules_page(version):
            pages[f"{site.rules_page(version)}.rst"] = rules_page(site, version)
    for name in dict.fromkeys(run.fichier for run in site.runs):
        pages[f"cas/{name}.rst"] = case_page(site, name, folder)
    root = Path(app.srcdir) / GENERATED
    for relative, lines in pages.items():
        path = root / relative
        text = "\n".join(lines).rstrip() + "\n"
        # Unchanged pages keep their date, so that Sphinx reads again only what changed.
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for path in root.rglob("*"):
        if path.is_file() and path.relative_to(root).as_posix() not in pages:
            path.unlink()
