"""The stamp of a result computed under a reform: first in its JSON (``reforme``), first in its text.

Drawn for every result whose rule book carries a reform (:class:`~cms_law.model.Reform`), by
wrapping the renderers of :mod:`.data` and :mod:`.text` where they are registered: no result
kind can forget it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..french import french
from ..model import CHANGE_KINDS, Reform

#: What the first line of a reformed result's text says.
WARNING = "RÉFORME — ce résultat n'est pas celui de la loi en vigueur : il est calculé sous"


def reform_as_dict(reform: Reform) -> dict[str, Any]:
    return {
        "titre": reform.titre,
        "justification": reform.justification,
        "empreinte": reform.empreinte,
        "source": reform.source,
        "modifications": [
            {
                "nature": change.nature,
                "cible": change.cible,
                "valeur": change.valeur,
                "depuis": change.depuis.isoformat() if change.depuis else None,
                "justification": change.justification,
            }
            for change in reform.modifications
        ],
    }


def reform_banner(reform: Reform) -> str:
    """The lines a reformed result's text begins with, and a blank line."""
    lines = [f"{WARNING} « {reform.titre} » (empreinte sha256 {reform.empreinte[:16]}…)."]
    if reform.justification:
        lines.append(f"  Justification : {reform.justification}")
    for change in reform.modifications:
        value = f" = {change.valeur}" if change.valeur is not None else ""
        since = f" à partir du {french(change.depuis, 'date')}" if change.depuis else ""
        why = f" — {change.justification}" if change.justification else ""
        lines.append(f"  - {CHANGE_KINDS[change.nature]} {change.cible}{value}{since}{why}")
    return "\n".join(lines) + "\n\n"


def stamped_dict(renderer: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def render(result: Any, *arguments: Any) -> dict[str, Any]:
        data = renderer(result, *arguments)
        reform = result.rulebook.reforme
        return data if reform is None else {"reforme": reform_as_dict(reform), **data}

    return render


def stamped_text(renderer: Callable[..., str]) -> Callable[..., str]:
    def render(result: Any, *arguments: Any) -> str:
        text = renderer(result, *arguments)
        reform = result.rulebook.reforme
        return text if reform is None else reform_banner(reform) + text

    return render
