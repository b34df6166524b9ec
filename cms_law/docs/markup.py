"""reStructuredText helpers every page uses: text escaped verbatim, links, headings, tables, folds.

A page is a list of lines; these functions return lines (or one inline string) and know nothing
of the law.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from docutils.utils import column_width

#: Folder of the generated pages, inside the documentation's source folder.
GENERATED = "_generated"

_MARKUP = re.compile(r"([\\`*_|\[\]<>])")


def _escaped(text: str) -> str:
    return _MARKUP.sub(r"\\\1", " ".join(text.split()))


def esc(text: object) -> str:
    """Text as reST shows it verbatim, on one line: no inline markup, no list or section recognised."""
    flat = _escaped(str(text))
    return flat if not flat or flat.startswith("\\") else "\\" + flat


def paragraphs(text: str) -> list[str]:
    """A text of a rule file (folded YAML: one line per paragraph) as escaped reST paragraphs."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if paragraph.strip():
            lines += [esc(paragraph), ""]
    return lines


def ref(label: str, text: str) -> str:
    return f":ref:`{_escaped(text)} <{label}>`"


def doc(name: str, text: str) -> str:
    return f":doc:`{_escaped(text)} </{GENERATED}/{name}>`"


def code(text: str) -> str:
    return f"``{' '.join(text.split())}``"


def link(url: str, text: str) -> str:
    return f"`{_escaped(text)} <{url}>`__"


def heading(text: str, underline: str, overline: bool = False) -> list[str]:
    title = esc(text)
    bar = underline * (column_width(title) + 2)
    return [*([bar] if overline else []), title, bar, ""]


def target(label: str) -> list[str]:
    return [f".. _{label}:", ""]


def indent(lines: Iterable[str], by: int = 3) -> list[str]:
    return [" " * by + line if line else "" for line in lines]


def container(css_class: str, content: list[str]) -> list[str]:
    return [f".. container:: {css_class}", "", *indent(content), ""]


def table(
    header: Sequence[str], rows: Sequence[Sequence[Sequence[str]]], widths: Sequence[int] = ()
) -> list[str]:
    """A ``list-table``; a cell is a line of reST (a string) or a list of lines."""
    lines = [".. list-table::", "   :header-rows: 1", "   :class: cms-law"]
    if widths:
        lines.append(f"   :widths: {' '.join(str(width) for width in widths)}")
    lines.append("")
    for row in [list(header), *rows]:
        for index, cell in enumerate(row):
            cell_lines = ([cell] if isinstance(cell, str) else list(cell)) or ["—"]
            lines.append(("   * - " if index == 0 else "     - ") + cell_lines[0])
            lines += indent(cell_lines[1:], 7)
    return [*lines, ""]


def line_block(lines: Iterable[str]) -> list[str]:
    return [f"| {line}" for line in lines] or ["—"]


def folded(summary: str, content: list[str], opened: bool) -> list[str]:
    return [f".. cms-law-repli:: {summary}", *(["   :ouvert:"] if opened else []), "", *indent(content), ""]
