"""Sphinx extension: the law, its encoding and its tests side by side, written from the rule files.

Legal experts audit the encoding on the site this extension builds, not in the Python. So that
what they read is what the engine runs, every page about the law is written when the build starts
(:mod:`.generate`) from the loaded :class:`~cms_law.model.RuleBook`, into ``docs/_generated/``:

- one page per article version (:mod:`.articles`): its alinéas in order, each with its provenance,
  and under each the rules, derogations, parameters, conventions and input checks that cite it;
- one page of rules per article version (:mod:`.rules`): each rule with its citations, formulas,
  validity and explanation template, the legal test cases that exercise it and an example
  computed by the engine (and each derogation with its conditions, and the cases in which it is
  open);
- the legal test cases (:mod:`.cases`), the vocabulary (:mod:`.vocabulary`: inputs, variables,
  parameters, conventions), the coverage of the text by the rules (:mod:`.coverage`: the audit's
  to-do list) and an index of every alinéa (:mod:`.index`).

The pages share the indexes of :mod:`.site`, the anchors and titles of :mod:`.labels` and the
reST helpers of :mod:`.markup`. Which rules a test case exercises is learnt by evaluating it
(:mod:`cms_law.cases`), never by reading its ``verifie`` label, which is shown as written. A
broken rule file fails the build (the loader raises).

Configuration, in ``docs/conf.py``: ``cms_law_depot``, the repository root relative to the
configuration folder (default ``".."``); the legal test cases are read from its ``tests/cas``.

For hand-written pages, :mod:`.directives`: ``cms-law-commande`` runs a ``cms-law`` command at
build time and shows its output; ``cms-law-repli`` folds its content (HTML ``<details>``); the
roles ``:provenance:`guide``` and ``:provenance-abregee:`guide``` show the French label of a
provenance.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from .. import __version__
from ..model import PROVENANCES, PROVENANCES_ABREGEES
from .directives import CommandDirective, FoldDirective, depart_repli, provenance_role, repli, visit_repli
from .generate import generate


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("cms_law_depot", "..", "env", types=[str])
    app.add_node(repli, html=(visit_repli, depart_repli))
    app.add_directive("cms-law-repli", FoldDirective)
    app.add_directive("cms-law-commande", CommandDirective)
    app.add_role("provenance", provenance_role(PROVENANCES))
    app.add_role("provenance-abregee", provenance_role(PROVENANCES_ABREGEES))
    app.connect("builder-inited", generate)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
