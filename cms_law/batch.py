"""Evaluating a whole inventory: a CSV file of communes in, one result per commune out.

The input is a CSV file whose columns are the input fields of ``rules/vocabulaire.yaml`` (plus an
optional ``periode`` column overriding the period row by row); it may be UTF-8 (with or without
BOM) or Windows-1252, use ``,`` or ``;`` as delimiter, write decimals with a comma, and hold
comment lines starting with ``#``. The format is described in the README (« Traitement par lots »).

Nothing is lost: every data row gives either one result row or, when the row is invalid, one entry
per problem in the errors file, naming its line, its field and the reason. Results are written in
input order as they complete, so an interrupted batch (Ctrl-C) leaves a valid file holding the
rows done so far. Large inputs are shared between processes (one per core by default); each
process loads and compiles the rules once, and the results are identical to a sequential run.
"""

from __future__ import annotations

import codecs
import csv
import ctypes
import ctypes.util
import io
import os
import signal
import sys
import time
import warnings
from collections import deque
from collections.abc import Generator, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, closing
from fractions import Fraction
from itertools import islice
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

import attrs

from .errors import CmsLawError, InputError, Problem
from .evaluator import compiled_for, evaluate, parse_period, regime_for, resolve_conventions
from .explain import evaluation_figures, french, json_value, provenance_comment, summary, to_json
from .expressions import is_number, truth
from .inputs import did_you_mean
from .loader import load_rulebook
from .model import Evaluation, RuleBook, Total

#: The optional column giving a row its own period (``AAAA-AAAA``) instead of ``--period``.
PERIOD_COLUMN = "periode"
#: The columns identifying a row in the results and in the errors file.
IDENTIFICATION = ("ligne", "nom", "code_insee")
ERROR_COLUMNS = (*IDENTIFICATION, "champ", "message", "valeur")
#: How CSV cells may write a boolean (compared lower-cased).
BOOLEANS = {"oui": True, "vrai": True, "true": True, "1": True, "non": False, "faux": False, "false": False, "0": False}
FORMATS = ("csv", "json")

# Rows per task sent to a worker process: large enough that inter-process traffic is small
# beside the evaluations, small enough that the work stays spread evenly and an interruption
# loses little.
_MAX_CHUNK = 128
# Tasks queued per worker: keeps every worker busy while bounding the results held in memory.
_TASKS_PER_WORKER = 4
_M_TOP_PAD = -2  # glibc mallopt parameter
_TOP_PAD_BYTES = 64 * 1024 * 1024


# --------------------------------------------------------------------------- reading the CSV


@attrs.frozen
class CsvSource:
    """A CSV file of communes, decoded and with its header checked."""

    path: Path
    text: str = attrs.field(repr=False)
    encoding: str
    delimiter: str
    columns: tuple[str, ...]
    rows: int

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Each data row with the number of the line it starts on (the header is not one)."""
        lines = _Lines(self.text)
        reader = csv.reader(lines, delimiter=self.delimiter)
        next(reader, None)
        while True:
            lines.record_start = None
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise InputError(
                    [Problem("fichier", f"{self.path}, ligne {lines.record_start} : CSV illisible ({error})")]
                ) from None
            if any(cell.strip() for cell in cells):
                yield lines.record_start or 0, cells


class _Lines:
    """The lines of a text without its comment lines, noting where the current CSV record starts.

    A record may span several lines (a quoted cell holding a line break); its number is that of
    its first line, the one a user looks for in a spreadsheet or an editor.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self.record_start: int | None = None

    def __iter__(self) -> Iterator[str]:
        for number, line in enumerate(io.StringIO(self._text, newline=""), start=1):
            if line.startswith("#"):
                continue
            if self.record_start is None:
                self.record_start = number
            yield line


def read_csv(path: str | Path, book: RuleBook) -> CsvSource:
    """Decode the file, find its delimiter and check its header against the input fields."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError([Problem("fichier", f"lecture impossible de {path} : {error.strerror}")]) from None
    return parse_csv(data, path, book)


def parse_csv(data: bytes, path: Path, book: RuleBook) -> CsvSource:
    """:func:`read_csv` of bytes already read (an HTTP request's body); ``path`` names them in errors."""
    text, encoding = _decode(data, path)
    header_line = next(iter(_Lines(text)), "")
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    header = next(csv.reader([header_line], delimiter=delimiter), [])
    columns = tuple(column.strip() for column in header)
    problems = _header_problems(columns, book)
    if problems:
        raise InputError(problems)
    source = CsvSource(path, text, encoding, delimiter, columns, rows=0)
    # Counting first finds a malformed file before any row is evaluated, and sizes the progress bar.
    return attrs.evolve(source, rows=sum(1 for _ in source.records()))


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "UTF-8 (avec BOM)"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as error:
        raise InputError(
            [
                Problem(
                    "fichier",
                    f"{path} n'est ni en UTF-8 ni en Windows-1252 (octet 0x{data[error.start]:02x} à la"
                    f" position {error.start}) : l'enregistrer en UTF-8",
                )
            ]
        ) from None


def _header_problems(columns: Sequence[str], book: RuleBook) -> list[Problem]:
    """Unknown, duplicated and missing columns: a problem of the whole file, not of a row.

    An unknown column is refused rather than ignored: a misspelt optional field (``exemptée``)
    would otherwise be silently dropped and change every result.
    """
    accepted = [field.cle for field in book.entrees] + [PERIOD_COLUMN]
    if not columns or columns == ("",):
        message = f"aucune ligne d'en-tête : la première ligne doit nommer les colonnes ({', '.join(accepted)})"
        return [Problem("fichier", message)]
    problems = []
    for index, column in enumerate(columns, start=1):
        if not column:
            problems.append(Problem(f"colonne {index}", "colonne sans nom dans la ligne d'en-tête"))
        elif column not in accepted:
            problems.append(
                Problem(column, f"colonne inconnue{did_you_mean(column, accepted)} (colonnes acceptées : {', '.join(accepted)})")
            )
        elif columns.index(column) != index - 1:
            problems.append(Problem(column, "colonne en double dans la ligne d'en-tête"))
    for field in book.entrees:
        if field.requis and field.cle not in columns:
            problems.append(Problem(field.cle, f"colonne obligatoire absente ({field.libelle})"))
    return problems


# --------------------------------------------------------------------------- one row


@attrs.frozen
class Settings:
    """What every row of a batch shares; sent once to each worker process."""

    columns: tuple[str, ...]
    period: str | None
    conventions: Mapping[str, str]
    output_format: str
    explain: bool


@attrs.frozen
class RowOutcome:
    """The fate of one row: its serialised result, or its problems (champ, message, valeur)."""

    ligne: int
    nom: str
    code_insee: str
    sortie: str | None = None
    problemes: tuple[tuple[str, str, str], ...] = ()
    rule_failure: bool = False
    #: This commune's part of each of the batch's totals (``syntheses.bilan``), in their order.
    totaux: tuple[int | Fraction, ...] = ()


#: The columns a row computed under a reform gains: the reform's title and fingerprint.
REFORM_COLUMNS = ("reforme", "reforme_empreinte")


def output_columns(book: RuleBook, explain: bool) -> tuple[str, ...]:
    """The CSV result columns: the identification, the JSON output keys (groups spread), the summary."""
    figures: list[str] = ["periode", "version_loi"]
    for entry in book.sorties:
        if isinstance(entry, str):
            figures.append(entry)
        else:
            ((key, spec),) = entry.items()
            figures.extend(spec if isinstance(spec, list) else [key])
    # Under a reform, each row says which: a reformed figure must not pass for the law's.
    stamp = REFORM_COLUMNS if book.reforme is not None else ()
    return (*IDENTIFICATION, *stamp, *figures, "resume", *(("explication",) if explain else ()))


class RowEvaluator:
    """Turns one CSV row into a :class:`RowOutcome`; one per process."""

    def __init__(self, book: RuleBook, settings: Settings) -> None:
        self.book = book
        self.settings = settings
        self.booleans = frozenset(field.cle for field in book.entrees if field.type == "booleen")
        self.columns = output_columns(book, settings.explain)
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)

    def __call__(self, line: int, cells: Sequence[str]) -> RowOutcome:
        settings = self.settings
        row = dict(zip(settings.columns, (cell.strip() for cell in cells)))
        nom, code_insee = row.get("nom", ""), row.get("code_insee", "")
        if len(cells) != len(settings.columns):
            message = (
                f"la ligne compte {len(cells)} valeurs pour {len(settings.columns)} colonnes"
                " (séparateur ou guillemets mal placés ?)"
            )
            return RowOutcome(line, nom, code_insee, problemes=(("ligne", message, ""),))
        period = row.get(PERIOD_COLUMN) or settings.period
        commune = {key: self._typed(key, text) for key, text in row.items() if text and key != PERIOD_COLUMN}
        try:
            result = evaluate(commune, period, settings.conventions, rulebook=self.book)
        except InputError as error:
            # The cell as the user wrote it says more than the converted value (when there is one).
            written = {**row, PERIOD_COLUMN: period or ""}
            problems = tuple((p.champ, p.message, written.get(p.champ) or _shown(p.recu)) for p in error.problemes)
            return RowOutcome(line, nom, code_insee, problemes=problems)
        except CmsLawError as error:
            message = f"erreur d'évaluation, défaut des règles à signaler : {error}"
            return RowOutcome(line, nom, code_insee, problemes=(("regles", message, ""),), rule_failure=True)
        # A CSV row holds the figures only; JSON lines hold the derogations too, and the structured
        # explanation, costly to serialise, only with --explain.
        if settings.output_format == "json":
            data = result.as_dict(explication=settings.explain)
        else:
            data = evaluation_figures(result)
        return RowOutcome(
            line,
            nom,
            code_insee,
            sortie=self._serialise(line, result, data),
            totaux=tuple(_share(total, result) for total in self.book.bilan),
        )

    def _typed(self, key: str, text: str) -> object:
        """Booleans are read here; every other cell goes to the evaluator as text, which converts
        it to its field's type (integers with spaces, rates « 25 % », decimal commas, dates)."""
        if key in self.booleans:
            return BOOLEANS.get(text.lower(), text)
        return text

    def _serialise(self, line: int, result: Evaluation, data: dict[str, Any]) -> str:
        explication = data.pop("explication", None)
        if self.settings.output_format == "json":
            extra = {"explication": explication} if self.settings.explain else {}
            return to_json({"ligne": line, **data, "resume": resume(result), **extra}, indent=None) + "\n"
        commune = data["commune"]
        cells: dict[str, Any] = {
            "ligne": line,
            "nom": commune.get("nom"),
            "code_insee": commune.get("code_insee"),
            "resume": resume(result),
        }
        if self.book.reforme is not None:
            cells.update(zip(REFORM_COLUMNS, (self.book.reforme.titre, self.book.reforme.empreinte)))
        for key, value in data.items():
            if key in self.columns:
                cells[key] = value
            elif isinstance(value, dict) and key != "commune":
                cells.update((name, value[name]) for name in value if name in self.columns)
        if self.settings.explain:
            cells["explication"] = result.texte()
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow([_cell(cells.get(column)) for column in self.columns])
        return self._buffer.getvalue()


def resume(evaluation: Evaluation) -> str:
    """The result in one French sentence: the commune and the period, then the sentence
    ``syntheses.commune`` of ``vocabulaire.yaml``."""
    code = evaluation.commune.get("code_insee")
    return f"{evaluation.commune.get('nom')}{f' ({code})' if code else ''}, {evaluation.periode} : " + summary(
        evaluation, "commune"
    )


def _share(total: Total, evaluation: Evaluation) -> int | Fraction:
    """What one commune adds to a total: 1 or 0 for a count, its known value for a sum."""
    if total.compte is not None:
        return int(truth(f"syntheses.bilan.{total.cle}", total.compte, evaluation.valeurs.get) is True)
    value = evaluation.valeurs.get(total.somme or "")
    return value if is_number(value) else 0


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


def _shown(value: object) -> str:
    """A received value as the user wrote it, or as its exact JSON form when it was converted."""
    if value is None or isinstance(value, str):
        return value or ""
    return _cell(json_value(value, None))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- worker processes

_WORKER: RowEvaluator | None = None


def keep_heap_slack() -> None:
    """Keep freed memory mapped for reuse rather than handing it back after every commune.

    durable_rules allocates and zeroes a new session state for each evaluation and frees it after;
    glibc then trims the heap, and the next evaluation faults the same pages in again: about 600
    page faults and a third of the CPU time per commune (see the benchmark). A top pad of 64 MiB
    keeps those pages; the peak memory is unchanged. The setting is process-wide, so it is made
    only in processes that evaluate many communes.
    """
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    except (OSError, AttributeError, TypeError):  # not glibc: nothing to tune
        return
    mallopt(_M_TOP_PAD, _TOP_PAD_BYTES)


def _start_worker(settings: Settings, book: RuleBook | None) -> None:
    """Load (or receive: a reformed book) and compile the rules once per worker process, before its first row."""
    global _WORKER
    # Ctrl-C reaches every process of the terminal: the parent alone decides to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    keep_heap_slack()
    book = book or load_rulebook()
    compiled_for(book, parse_period(book, settings.period))
    _WORKER = RowEvaluator(book, settings)


def _evaluate_chunk(chunk: Sequence[tuple[int, list[str]]]) -> list[RowOutcome]:
    assert _WORKER is not None, "worker started without its initializer"
    return [_WORKER(line, cells) for line, cells in chunk]


_Outcomes = Generator[list[RowOutcome], None, None]


def _sequential(source: CsvSource, evaluator: RowEvaluator, stop: _StopRequest) -> _Outcomes:
    keep_heap_slack()
    for line, cells in source.records():
        if stop.signal is not None:
            return
        yield [evaluator(line, cells)]


def _parallel(source: CsvSource, settings: Settings, book: RuleBook, jobs: int, stop: _StopRequest) -> _Outcomes:
    """Chunks of rows evaluated by ``jobs`` processes, yielded in input order."""
    size = max(1, min(_MAX_CHUNK, source.rows // (jobs * 4 * _TASKS_PER_WORKER)))
    records = source.records()
    chunks = iter(lambda: list(islice(records, size)), [])
    # The shipped rules are loaded by each worker; another book (a reform) is sent to it.
    shipped = book is load_rulebook()
    pool = ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(settings, None if shipped else book))
    try:
        pending: deque[Future[list[RowOutcome]]] = deque(
            pool.submit(_evaluate_chunk, chunk) for chunk in islice(chunks, jobs * _TASKS_PER_WORKER)
        )
        while pending and stop.signal is None:
            try:
                done = pending.popleft().result()
            except BrokenProcessPool:
                raise CmsLawError(
                    "un processus de calcul s'est arrêté brutalement (mémoire épuisée ?) ; les résultats"
                    " écrits jusqu'ici sont complets, relancer avec --jobs 1 pour trouver la ligne en cause"
                ) from None
            following = next(chunks, None)
            if following is not None:
                pending.append(pool.submit(_evaluate_chunk, following))
            yield done
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _StopRequest:
    """Ctrl-C asks the batch to stop after the rows under way, so that no row is half written;
    a second Ctrl-C stops at once (``KeyboardInterrupt``)."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self._previous: Any = None

    def __enter__(self) -> _StopRequest:
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle) or signal.default_int_handler
        except ValueError:  # not the main thread: Ctrl-C keeps its default behaviour
            pass
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.signal = signum
        signal.signal(signal.SIGINT, signal.default_int_handler)

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


# --------------------------------------------------------------------------- the whole batch


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
    #: The totals of ``syntheses.bilan`` over the communes evaluated, by their key.
    totaux: dict[str, int | Fraction] = attrs.Factory(
        lambda self: {total.cle: 0 for total in self.book.bilan}, takes_self=True
    )
    interrupted: bool = False

    def record(self, outcome: RowOutcome) -> None:
        if outcome.sortie is None:
            self.rejected += 1
            self.rule_failures += outcome.rule_failure
            return
        self.evaluated += 1
        for total, share in zip(self.book.bilan, outcome.totaux, strict=True):
            self.totaux[total.cle] += share

    def _total_line(self, total: Total) -> str:
        kind = "entier" if total.compte is not None else self.book.type_of(total.somme or "")
        unit = f" {total.unite}" if total.unite else ""
        return f"    {total.libelle} : {french(self.totaux[total.cle], kind)}{unit}"

    @property
    def done(self) -> int:
        return self.evaluated + self.rejected

    def text(self) -> str:
        def n(number: int) -> str:
            return french(number, "entier")

        source = self.source
        period = self.period + (f" (sauf colonne {PERIOD_COLUMN})" if PERIOD_COLUMN in source.columns else "")
        lines = [
            f"cms-law batch : {source.path} ({source.encoding}, séparateur « {source.delimiter} »),"
            f" période {period}",
            *([f"  RÉFORME — calculé sous « {self.book.reforme.titre} » (empreinte sha256"
               f" {self.book.reforme.empreinte[:16]}…), non sous la loi en vigueur"] if self.book.reforme else []),
            f"  Communes évaluées : {n(self.evaluated)} sur {n(source.rows)} lignes",
            *(self._total_line(total) for total in self.book.bilan),
            f"  Lignes rejetées : {n(self.rejected)}"
            + (f" (détail : {self.errors})" if self.rejected else ""),
        ]
        if self.rule_failures:
            lines.append(f"    dont {n(self.rule_failures)} par une erreur des règles (défaut à signaler)")
        if self.interrupted:
            lines.append(
                f"  Interrompu : {n(self.done)} lignes traitées sur {n(source.rows)} ; les résultats écrits"
                " sont complets, les lignes suivantes n'ont pas été évaluées."
            )
        lines.append(f"  Résultats : {self.output}")
        return "\n".join(lines) + "\n"


class _Progress:
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


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run(
    input_path: str | Path,
    output_path: str | Path | None = None,
    *,
    periode: str | None = None,
    conventions: Mapping[str, str] | None = None,
    output_format: str = "csv",
    explain: bool = False,
    errors_path: str | Path | None = None,
    jobs: int | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    period: str | None = None,
    rulebook: RuleBook | None = None,
) -> Summary:
    """Evaluate every commune of a CSV file; write the results, the errors file and a summary.

    Results go to ``output_path`` (``stdout`` when ``None``) in input order, ``csv`` or ``json``
    (one JSON object per line). Rejected rows go to ``errors_path`` (default: beside the output,
    or beside the input when the output is ``stdout``). Raises :class:`InputError` when the file
    as a whole cannot be read (unreadable, unknown column…) or an option is invalid; an invalid
    row never raises. The progress bar (on a terminal) and the summary go to ``stderr``, and
    nowhere when it is ``None``: a program calling ``run`` reads the returned summary instead.
    ``period`` is the former name of ``periode`` (deprecated). With ``jobs=1`` the rows
    are evaluated in the calling process, whose allocator :func:`keep_heap_slack` then tunes.
    ``rulebook`` (a reformed book, :func:`cms_law.reforms.reformed_book`) replaces the shipped rules.
    """
    if period is not None:
        warnings.warn("batch.run(period=…) est obsolète : écrire periode=…", DeprecationWarning, stacklevel=2)
        periode = period if periode is None else periode
    stderr = stderr if stderr is not None else io.StringIO()
    book = rulebook or load_rulebook()
    if output_format not in FORMATS:
        raise InputError([Problem("--format", f"format inconnu (formats : {', '.join(FORMATS)})", output_format)])
    parsed_period = parse_period(book, periode)
    regime_for(book, parsed_period)
    applied, problems = resolve_conventions(book, conventions)
    if problems:
        raise InputError(problems)
    source = read_csv(input_path, book)
    errors = Path(errors_path) if errors_path else _beside(Path(output_path or input_path), output_format)
    _check_paths(source.path, output_path, errors)
    settings = Settings(source.columns, periode, dict(conventions or {}), output_format, explain)
    summary = Summary(source, str(parsed_period), str(output_path or "sortie standard"), errors, book)
    jobs = min(jobs or default_jobs(), max(source.rows, 1))

    with ExitStack() as stack:
        out = stack.enter_context(_open(output_path, "--output")) if output_path else (stdout or sys.stdout)
        errors_out = stack.enter_context(_open(errors, "--errors"))
        error_writer = csv.writer(errors_out)
        if output_format == "csv":
            out.write(provenance_comment(book, applied))
            csv.writer(out).writerow(output_columns(book, explain))
            error_writer.writerow(ERROR_COLUMNS)
        out.flush()
        errors_out.flush()
        stop = stack.enter_context(_StopRequest())
        progress = _Progress(source.rows, stderr)
        stream = (
            _parallel(source, settings, book, jobs, stop)
            if jobs > 1
            else _sequential(source, RowEvaluator(book, settings), stop)
        )
        try:
            with closing(stream):
                for outcomes in stream:
                    for outcome in outcomes:
                        summary.record(outcome)
                        if outcome.sortie is not None:
                            out.write(outcome.sortie)
                        else:
                            _write_problems(outcome, output_format, error_writer, errors_out)
                    out.flush()
                    errors_out.flush()
                    progress.update(summary)
        except KeyboardInterrupt:
            summary.interrupted = True
        finally:
            progress.close(summary)
        # A Ctrl-C after the last row interrupted nothing.
        summary.interrupted = (summary.interrupted or stop.signal is not None) and summary.done < source.rows
    stderr.write(summary.text())
    return summary


def rejected_row(outcome: RowOutcome) -> dict[str, Any]:
    """A rejected row as the JSON errors file holds it: its identification and its problems."""
    problems = [{"champ": c, "message": m, "valeur": v} for c, m, v in outcome.problemes]
    return {"ligne": outcome.ligne, "nom": outcome.nom, "code_insee": outcome.code_insee, "erreurs": problems}


def _write_problems(outcome: RowOutcome, output_format: str, writer: Any, stream: TextIO) -> None:
    if output_format == "json":
        stream.write(to_json(rejected_row(outcome), indent=None) + "\n")
        return
    for champ, message, valeur in outcome.problemes:
        writer.writerow([outcome.ligne, outcome.nom, outcome.code_insee, champ, message, valeur])


def _beside(path: Path, output_format: str) -> Path:
    return path.with_name(f"{path.stem}.erreurs.{'csv' if output_format == 'csv' else 'jsonl'}")


def _check_paths(source: Path, output: str | Path | None, errors: Path) -> None:
    written = {"--output": Path(output) if output else None, "--errors": errors}
    for option, path in written.items():
        if path is not None and path.resolve() == source.resolve():
            raise InputError([Problem(option, "ce fichier est le fichier d'entrée : il serait écrasé", str(path))])
    if written["--output"] is not None and written["--output"].resolve() == errors.resolve():
        message = "le fichier d'erreurs doit être distinct du fichier de résultats"
        raise InputError([Problem("--errors", message, str(errors))])


def _open(path: str | Path, option: str) -> TextIO:
    try:
        return open(path, "w", encoding="utf-8", newline="")
    except OSError as error:
        raise InputError([Problem(option, f"écriture impossible de {path} : {error.strerror}")]) from None
