"""A reform: what a rule book was changed by, so that every result computed under it says so.

A reform is data — another rules folder, parameters overridden, rules added, replaced or
neutralised, each with its justification — applied to a rule book by :mod:`cms_law.reforms`. The
book it gives carries this stamp (``RuleBook.reforme``), and every result drawn from that book
shows it first: a reformed figure can never be mistaken for the law's.
"""

from __future__ import annotations

import datetime as dt

import attrs

#: The kinds of change a reform makes, with the words shown to readers.
CHANGE_KINDS = {
    "regles": "dossier de règles",
    "parametre": "paramètre modifié",
    "regle_ajoutee": "règle ajoutée",
    "regle_remplacee": "règle remplacée",
    "regle_neutralisee": "règle neutralisée",
}


@attrs.frozen
class ReformChange:
    """One change: its kind, what it changes (a parameter, a rule id, a folder), from when, why."""

    nature: str
    cible: str
    justification: str | None = None
    depuis: dt.date | None = None
    #: The new value of a parameter, as written (« 40 % »).
    valeur: str | None = None


@attrs.frozen
class Reform:
    """The stamp of a reformed rule book: a title, why, a fingerprint and each change."""

    titre: str
    justification: str | None
    #: sha256 of the reform's canonical content (and of the rules folder it replaces the law's by).
    empreinte: str
    modifications: tuple[ReformChange, ...]
    #: The reform file or rules folder, as named by the user (never read by a client of the service).
    source: str | None = None
