"""What hand-written pages may use: ``cms-law-commande`` (a command and its output, run at build
time), ``cms-law-repli`` (content folded in HTML ``<details>``), and the roles ``:provenance:`` and
``:provenance-abregee:`` (the French label of a provenance).
"""

from __future__ import annotations

import contextlib
import html
import io
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from .. import cli

class repli(nodes.container):
    """Content folded under a summary line (HTML ``<details>``); other builders show it as is."""


def visit_repli(translator: Any, node: repli) -> None:
    attributes = {"open": "open"} if node["ouvert"] else {}
    translator.body.append(translator.starttag(node, "details", CLASS="cms-law-repli", **attributes))
    translator.body.append(f"<summary>{html.escape(node['resume'])}</summary>\n")


def depart_repli(translator: Any, node: repli) -> None:
    translator.body.append("</details>\n")


class FoldDirective(SphinxDirective):
    """``.. cms-law-repli:: summary`` (option ``:ouvert:``): long content a reader opens on demand."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = {"ouvert": directives.flag}

    def run(self) -> list[nodes.Node]:
        node = repli(resume=self.arguments[0], ouvert="ouvert" in self.options)
        self.set_source_info(node)
        node += self.parse_content_to_nodes()
        return [node]


class CommandDirective(SphinxDirective):
    """``.. cms-law-commande:: evaluate examples/commune_exemple.yaml``: the command and its output.

    The command runs at build time, from the repository root, so that the user guide shows what
    ``cms-law`` prints today; a failing command fails the build. Option ``:replie:`` folds the output.
    """

    required_arguments = 1
    final_argument_whitespace = True
    option_spec = {"replie": directives.flag}

    def run(self) -> list[nodes.Node]:
        arguments = shlex.split(self.arguments[0])
        output = io.StringIO()
        with contextlib.chdir(Path(self.env.app.confdir) / self.config.cms_law_depot):
            status = cli.main(arguments, stdout=output)
        if status != 0:
            raise self.error(f"« cms-law {self.arguments[0]} » a échoué (code {status})")
        # The output depends on the rule files, which Sphinx does not track: read the page each build.
        self.env.note_reread()
        command = nodes.literal_block(text=f"$ cms-law {self.arguments[0]}", language="console")
        result = nodes.literal_block(text=output.getvalue().rstrip("\n"), language="none", classes=["sortie"])
        if "replie" not in self.options:
            return [command, result]
        node = repli(resume="afficher la sortie", ouvert=False)
        node += result
        return [command, node]


def provenance_role(labels: Mapping[str, str]) -> Any:
    def role(
        name: str,
        rawtext: str,
        text: str,
        lineno: int,
        inliner: Any,
        options: Any = None,
        content: Any = None,
    ) -> Any:
        if text not in labels:
            message = inliner.reporter.error(
                f"provenance inconnue « {text} » (connues : {', '.join(labels)})", line=lineno
            )
            return [inliner.problematic(rawtext, rawtext, message)], [message]
        return [nodes.inline(rawtext, labels[text], classes=["provenance", f"provenance-{text}"])], []

    return role
