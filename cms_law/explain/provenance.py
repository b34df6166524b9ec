"""What produced a result (``produit_par``), as data and as the closing lines of its French text:
cms-law's version, the JSON format's, the fingerprint of the rule files loaded, the law version
and the conventions applied — so that an objective contested years later names its encoding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..model import RuleBook
from ..version import FORMAT_JSON, __version__


def provenance(book: RuleBook, version_loi: Any, conventions: Mapping[str, str]) -> dict[str, Any]:
    """``produit_par`` of a result. The same input under the same fingerprint gives the same JSON,
    byte for byte (conventions in name order; nothing of the machine or the moment)."""
    return {
        "cms_law": __version__,
        "format_json": FORMAT_JSON,
        "empreinte_regles": book.empreinte,
        "version_loi": version_loi,
        "conventions": dict(sorted(conventions.items())),
    }


def provenance_lines(book: RuleBook, versions_loi: Sequence[str], conventions: Mapping[str, str]) -> list[str]:
    """The same, in French, for the end of a text."""
    applied = ", ".join(f"{name} = {option}" for name, option in sorted(conventions.items())) or "aucune"
    laws = ", ".join(versions_loi) or "aucune"
    return [
        "",
        f"Produit par cms-law {__version__} (format JSON {FORMAT_JSON}) ; version du droit : {laws} ;"
        f" conventions : {applied}.",
        f"Empreinte des fichiers de règles (sha256) : {book.empreinte or 'non calculée'}.",
    ]


def provenance_comment(book: RuleBook, conventions: Mapping[str, str]) -> str:
    """The comment line that opens a batch's CSV results (the law version is each row's own)."""
    applied = ", ".join(f"{name} = {option}" for name, option in sorted(conventions.items())) or "aucune"
    return (
        f"# Produit par cms-law {__version__} (format JSON {FORMAT_JSON}) ; empreinte des fichiers de règles"
        f" (sha256) : {book.empreinte or 'non calculée'} ; version du droit : colonne version_loi ;"
        f" conventions : {applied}"
        + (f" ; RÉFORME « {book.reforme.titre} » (empreinte {book.reforme.empreinte}), non la loi en vigueur"
           if book.reforme else "")
        + "\n"
    )
