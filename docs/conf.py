"""Configuration of the documentation site. Build it with the command in the README (« Documentation »).

The pages about the law are written from the rule files by the extension ``cms_law.sphinxext``;
nothing about the law is copied by hand into ``docs/``.
"""

import cms_law

project = "cms-law"
author = "cms-law developers"
release = cms_law.__version__
language = "fr"

extensions = ["cms_law.sphinxext", "sphinx.ext.autodoc"]
#: The repository root, from this folder: the legal test cases are read from its tests/cas/.
cms_law_depot = ".."

exclude_patterns = ["_build"]
#: The theme's few words that Sphinx's French catalogue leaves in English (search button, footer).
templates_path = ["_templates"]
# The law is shown as written: no typographic quotes or dashes put in place of the text's own.
smartquotes = False
autodoc_member_order = "bysource"
# In the sidebar, « EpciEvaluation » rather than « cms_law.epci.EpciEvaluation »: the entries fit.
toc_object_entries_show_parents = "hide"

html_theme = "alabaster"
html_title = "cms-law : la loi SRU, son encodage et ses tests"
html_static_path = ["_static"]
html_css_files = ["cms_law.css"]
html_theme_options = {
    "description": "La loi SRU en règles déclaratives, citées et expliquées",
    "page_width": "1240px",
    "sidebar_width": "260px",
    "fixed_sidebar": True,
}
html_sidebars = {"**": ["about.html", "searchbox.html", "navigation.html", "localtoc.html"]}
html_show_sourcelink = False
html_show_copyright = False


def _french_reference(app, what, name, obj, options, lines):  # type: ignore[no-untyped-def]
    """The code's docstrings are written in English, like the engine: the reference page gives its
    own French text under each signature, and the docstring is left out."""
    lines.clear()


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("autodoc-process-docstring", _french_reference)
