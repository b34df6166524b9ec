"""Writing a batch's results and its errors file: both whole, or neither.

Each file is written under a temporary name in its own folder (``.NOM.xxxx.partiel``) and moved
into place once both are on disk, so a full disk or an unwritable folder never leaves a cut file
under the name asked for, and an earlier file of that name is kept until the new one is complete.
A batch stopped early (Ctrl-C, the standard output closed) keeps the rows done, each whole, and
its errors file ends with a line saying where and why it stopped (line 0, field ``lot``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, TextIO

from ..errors import InputError, Problem, UsageError, os_reason
from ..explain import to_json
from .cells import csv_line
from .rows import IDENTIFICATION, RowOutcome

ERROR_COLUMNS = (*IDENTIFICATION, "champ", "message", "valeur")
#: How the errors file names the batch itself (its end, when it stopped early), at line 0.
BATCH_FIELD = "lot"


class WriteFailed(Exception):
    """A file of the batch could not be written (a full disk…): the message names it, in French."""


class Outputs:
    """The results (a file, or the standard output) and the errors file of one batch."""

    def __init__(self, results: Path | None, errors: Path, output_format: str, stdout: TextIO) -> None:
        self.format = output_format
        self.errors = AtomicFile(errors, "--errors")
        try:
            self.results = AtomicFile(results, "--output") if results is not None else None
        except InputError:
            self.errors.discard()
            raise
        self.out = self.results.stream if self.results is not None else stdout

    def start(self, comment: str, columns: Sequence[str]) -> None:
        """A CSV results file begins with a comment line saying what produced it, then its header."""
        if self.format == "csv":
            self._put(self.out, comment + csv_line(columns), self.results)
            self._put(self.errors.stream, csv_line(ERROR_COLUMNS), self.errors)

    def write(self, outcome: RowOutcome) -> None:
        if outcome.sortie is not None:
            self._put(self.out, outcome.sortie, self.results)
        elif self.format == "json":
            self._put(self.errors.stream, to_json(rejected_row(outcome), indent=None) + "\n", self.errors)
        else:
            for problem in outcome.problemes:
                self._put(self.errors.stream, csv_line((outcome.ligne, outcome.nom, outcome.code_insee, *problem)), self.errors)

    def flush(self) -> None:
        """Rows written to the standard output are shown as they come; files are flushed at the end."""
        if self.results is None:
            self._put(self.out, "", None, flush=True)

    def finish(self, stop_reason: str | None) -> None:
        """Note why the batch stopped early, if it did, then give both files their names (or raise :class:`WriteFailed`)."""
        if stop_reason is not None:
            stopped = RowOutcome(0, "", "", problemes=((BATCH_FIELD, stop_reason, ""),))
            self.write(stopped)
        files = [self.errors, *([self.results] if self.results is not None else [])]
        for file in files:
            self._do(file.prepare, file)
        for file in reversed(files):
            self._do(file.commit, file)

    def discard(self) -> None:
        """Leave every file of the names asked for as it was."""
        self.errors.discard()
        if self.results is not None:
            self.results.discard()

    def _put(self, stream: IO[str], text: str, file: AtomicFile | None, flush: bool = False) -> None:
        def put() -> None:
            stream.write(text)
            if flush:
                stream.flush()

        self._do(put, file)

    @staticmethod
    def _do(action: Any, file: AtomicFile | None) -> None:
        try:
            action()
        except BrokenPipeError:
            if file is not None:
                raise WriteFailed(f"écriture impossible de {file.path} : tube fermé") from None
            raise
        except OSError as error:
            where = f"de {file.path}" if file is not None else "sur la sortie standard"
            raise WriteFailed(f"écriture impossible {where} : {os_reason(error)}") from None


def rejected_row(outcome: RowOutcome) -> dict[str, Any]:
    """A rejected row as the JSON errors file holds it: its identification and its problems."""
    problems = [{"champ": c, "message": m, "valeur": v} for c, m, v in outcome.problemes]
    return {"ligne": outcome.ligne, "nom": outcome.nom, "code_insee": outcome.code_insee, "erreurs": problems}


class AtomicFile:
    """A text file written under a temporary name beside its own, moved into place by :meth:`commit`.

    Created at once (an unwritable folder is refused before any row is evaluated), removed by
    :meth:`discard` when the batch cannot finish it: the file of that name is then left as it was.
    """

    def __init__(self, path: str | Path, option: str) -> None:
        self.path = Path(path)
        self.option = option
        if self.path.is_dir():
            raise InputError([Problem(option, f"écriture impossible de {self.path} : c'est un dossier")])
        try:
            descriptor, temporary = tempfile.mkstemp(
                dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".partiel"
            )
        except OSError as error:
            raise InputError([Problem(option, f"écriture impossible de {self.path} : {os_reason(error)}")]) from None
        self.temporary = Path(temporary)
        self.stream: IO[str] = open(descriptor, "w", encoding="utf-8", newline="")

    def prepare(self) -> None:
        """Flush the file to disk, so that giving it its name cannot fail for want of space (raises ``OSError``)."""
        self.stream.flush()
        os.fsync(self.stream.fileno())
        self.stream.close()
        # mkstemp made it readable by its owner only; give it the permissions of a new file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.temporary, 0o666 & ~umask)

    def commit(self) -> None:
        """Give the prepared file its name, replacing any file of that name (raises ``OSError``)."""
        os.replace(self.temporary, self.path)

    def discard(self) -> None:
        try:
            self.stream.close()
        except OSError:  # the disk is full: what is lost is in the temporary file, removed below
            pass
        self.temporary.unlink(missing_ok=True)


def check_paths(source: Path, output: Path | None, errors: Path) -> None:
    """Neither output may overwrite the input, nor the other (raised as a usage error by the command line)."""
    written = {"--output": output, "--errors": errors}
    for option, path in written.items():
        if path is not None and _same(path, source):
            raise UsageError(option, "ce fichier est le fichier d'entrée : il serait écrasé", str(path))
    if output is not None and _same(output, errors):
        raise UsageError("--errors", "le fichier d'erreurs doit être distinct du fichier de résultats", str(errors))


def _same(first: Path, second: Path) -> bool:
    try:
        return first.resolve() == second.resolve() or (first.exists() and os.path.samefile(first, second))
    except OSError:
        return False
