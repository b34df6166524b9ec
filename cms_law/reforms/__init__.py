"""Reforms: the law read otherwise, as data — another rules folder (``--regles``), parameters
overridden from a day (``--parametre NOM=VALEUR@AAAA-MM-JJ``), a reform file that changes
parameters and adds, replaces or neutralises rules, each change with its justification.

The law stays in ``rules/``: a reform gives a new rule book, checked as the shipped one is and
stamped (``RuleBook.reforme``: title, fingerprint, changes), and every result computed from that
book says so at the top of its text and in its JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from ..errors import InputError, Problem
from ..loader import load_rulebook, load_rulebook_from
from ..model import RuleBook
from .apply import apply_reform, fingerprint, folder_stamp
from .file import ParameterChange, ReformError, ReformText, parameter_pairs, parse_reform, read_reform_file

__all__ = [
    "ParameterChange",
    "ReformError",
    "ReformText",
    "apply_reform",
    "fingerprint",
    "parameter_pairs",
    "parse_reform",
    "read_reform_file",
    "reformed_book",
]


def reformed_book(
    regles: str | Path | None = None,
    reforme: str | Path | Mapping[str, Any] | None = None,
    parametres: Sequence[str] | Sequence[ParameterChange] = (),
) -> RuleBook:
    """The rule book to evaluate with: the package's law, or ``regles`` (another rules folder),
    changed by ``reforme`` (a reform file, or its contents as a mapping) and ``parametres``
    (``"NOM=VALEUR"``, ``"NOM=VALEUR@AAAA-MM-JJ"``). Without any of them, the law itself, unstamped.
    """
    if regles is None:
        book = load_rulebook()
    else:
        folder = Path(regles)
        if not folder.is_dir():
            raise InputError([Problem("--regles", "dossier de règles introuvable", str(regles))])
        book = load_rulebook_from(folder)
        # The folder's fingerprint is the loader's (``produit_par.empreinte_regles``): the files it read.
        stamp = folder_stamp(f"Règles du dossier {folder.name}", str(regles), book.empreinte or "")
        book = attrs.evolve(book, reforme=stamp)
    text: ReformText | None = None
    if isinstance(reforme, Mapping):
        text = parse_reform(reforme)
    elif reforme is not None:
        text = read_reform_file(reforme)
    changes = tuple(p if isinstance(p, ParameterChange) else parameter_pairs([p])[0] for p in parametres)
    if text is None and not changes:
        return book
    return apply_reform(book, text, changes, base=book.reforme)
