"""What a batch did: the counts and totals of its summary, how complete its files are, its progress bar."""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path
from typing import TextIO

import attrs

from ..explain import french
from ..model import RuleBook, Total
from .reading import PERIOD_COLUMN, CsvSource
from .rows import RowOutcome

#: Why a batch stopped before its last row, as its summary and its errors file say it.
CTRL_C = "Ctrl-C"
CLOSED_PIPE = "sortie fermée"
WRITE_FAILED = "écriture impossible"


@attrs.define
class Summary:
    """What a batch did, for its final report and its exit code."""

    source: CsvSource
    period: str
    output: str
    errors: Path
    book: RuleBook
    evaluated: int = 0
    rejected: int = 0
    rule_failures: int = 0
    #: The identifiers of the defects of cms-law met (« erreur interne »), with their number of rows.
    internal_errors: dict[str, int] = attrs.Factory(dict)
    #: The totals of ``syntheses.bilan`` over the communes evaluated, by their key.
    totaux: dict[str, int | Fraction] = attrs.Factory(
        lambda self: {total.cle: 0 for total in self.book.bilan}, takes_self=True
    )
    #: Why the batch stopped early (:data:`CTRL_C`, :data:`CLOSED_PIPE`, :data:`WRITE_FAILED`), if it did.
    stopped: str | None = None
    #: The file that could not be written and why, when ``stopped`` is :data:`WRITE_FAILED`.
    write_failure: str = ""
    #: The line of the last row done (0 before the first).
    last_line: int = 0

    def record(self, outcome: RowOutcome) -> None:
        self.last_line = outcome.ligne
        if outcome.sortie is None:
            self.rejected += 1
            self.rule_failures += outcome.rule_failure
            if outcome.internal_error:
                self.internal_errors[outcome.internal_error] = self.internal_errors.get(outcome.internal_error, 0) + 1
            return
        self.evaluated += 1
        for total, share in zip(self.book.bilan, outcome.totaux, strict=True):
            self.totaux[total.cle] += share

    @property
    def done(self) -> int:
        return self.evaluated + self.rejected

    @property
    def interrupted(self) -> bool:
        """Stopped by Ctrl-C before the last row."""
        return self.stopped == CTRL_C

    @property
    def complete(self) -> bool:
        """Every row of the file is in the results or in the errors file."""
        return self.stopped is None and self.done == self.source.rows

    def stop_reason(self) -> str:
        """The batch's end in one sentence, for the summary and the errors file."""
        done = f"{_n(self.done)} lignes traitées sur {_n(self.source.rows)}"
        after = f"les lignes après la ligne {self.last_line} n'ont pas été évaluées" if self.last_line else (
            "aucune ligne n'a été évaluée")
        if self.stopped == CTRL_C:
            return f"lot interrompu (Ctrl-C) : {done} ; {after}"
        if self.stopped == CLOSED_PIPE:
            return f"lot arrêté, la sortie standard a été fermée : {done} ; {after}"
        return f"lot arrêté, {self.write_failure} : {done}"

    def text(self) -> str:
        source = self.source
        period = self.period + (f" (sauf colonne {PERIOD_COLUMN})" if PERIOD_COLUMN in source.columns else "")
        lines = [
            f"cms-law batch : {source.path} ({source.encoding}, séparateur « {source.delimiter_name} »),"
            f" période {period}",
            *([f"  RÉFORME — calculé sous « {self.book.reforme.titre} » (empreinte sha256"
               f" {self.book.reforme.empreinte[:16]}…), non sous la loi en vigueur"] if self.book.reforme else []),
            f"  Communes évaluées : {_n(self.evaluated)} sur {_n(source.rows)} lignes",
            *(self._total_line(total) for total in self.book.bilan),
            f"  Lignes rejetées : {_n(self.rejected)}" + (f" (détail : {self.errors})" if self.rejected else ""),
        ]
        if self.rule_failures:
            lines.append(f"    dont {_n(self.rule_failures)} par une erreur des règles (défaut à signaler)")
        if self.internal_errors:
            identifiers = ", ".join(sorted(self.internal_errors))
            count = sum(self.internal_errors.values())
            lines.append(f"    dont {_n(count)} par une erreur interne de cms-law (défaut à signaler : {identifiers})")
        if self.stopped is not None:
            lines.append(f"  Arrêt : {self.stop_reason()}.")
        lines.append(f"  Résultats : {self.output} ({self._completeness()})")
        return "\n".join(lines) + "\n"

    def _completeness(self) -> str:
        if self.stopped == WRITE_FAILED:
            if self.output_is_file:
                return "non écrits, ni le fichier d'erreurs : les fichiers de ces noms, s'il y en avait, sont intacts"
            return "incomplets : la sortie standard a reçu une partie des lignes ; fichier d'erreurs non écrit"
        if self.complete:
            return f"complets : {_n(self.source.rows)} lignes sur {_n(self.source.rows)} dans les résultats ou les erreurs"
        return f"partiels : {_n(self.done)} lignes sur {_n(self.source.rows)}, fin signalée dans le fichier d'erreurs"

    @property
    def output_is_file(self) -> bool:
        return self.output != STDOUT

    def _total_line(self, total: Total) -> str:
        kind = "entier" if total.compte is not None else self.book.type_of(total.somme or "")
        unit = f" {total.unite}" if total.unite else ""
        return f"    {total.libelle} : {french(self.totaux[total.cle], kind)}{unit}"


#: How the summary names the standard output.
STDOUT = "sortie standard"


def _n(number: int) -> str:
    return french(number, "entier")


class Progress:
    """A one-line progress bar, redrawn with ``\\r``, for a terminal only."""

    WIDTH = 30
    EVERY = 0.1  # seconds between redraws

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.enabled = stream.isatty()
        self.started = self.drawn = time.monotonic()

    def update(self, summary: Summary, final: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not final and now - self.drawn < self.EVERY):
            return
        self.drawn = now
        done = summary.done
        filled = self.WIDTH * done // max(self.total, 1)
        rate = done / max(now - self.started, 1e-9)
        left = f" ; reste ~{(self.total - done) / rate:.0f} s" if rate and done < self.total else ""
        self.stream.write(
            f"\r[{'#' * filled}{'-' * (self.WIDTH - filled)}] {done}/{self.total} communes"
            f" ({summary.rejected} rejetées) ; {rate:.0f}/s{left}   "
        )
        self.stream.flush()

    def close(self, summary: Summary) -> None:
        if self.enabled:
            self.update(summary, final=True)
            self.stream.write("\n")
