"""Evaluating a whole inventory: a CSV file of communes in, one result per commune out.

The input is a CSV file whose columns are the input fields of ``rules/vocabulaire.yaml`` (plus an
optional ``periode`` column overriding the period row by row); the format is described in the
README (« Traitement par lots »). Nothing is lost: every data row gives either one result row or,
when it cannot be evaluated, one entry per problem in the errors file, naming its line, its field
and the reason; the summary says whether the files are complete. The modules, each one job:

========== ==========================================================================
reading    the CSV file: encoding, delimiter, header, its records streamed and numbered
rows       one row: checked, evaluated, serialised; any failure becomes its errors
cells      CSV cells, made safe from spreadsheet formulas
writing    the results and errors files, both whole or neither
pool       where rows are evaluated (this process or workers), and Ctrl-C
summary    what the batch did, how complete its files are, the progress bar
========== ==========================================================================
"""

from __future__ import annotations

import io
import sys
import warnings
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import TextIO

from ..errors import InputError, Problem
from ..evaluator import parse_period, regime_for, resolve_conventions
from ..explain import provenance_comment
from ..loader import load_rulebook
from ..model import RuleBook
from .cells import csv_line, spreadsheet_safe
from .pool import StopRequest, default_jobs, outcomes
from .reading import PERIOD_COLUMN, CsvSource, Unreadable, parse_csv, read_csv
from .rows import BOOLEANS, FORMATS, RowEvaluator, RowOutcome, Settings, output_columns, resume
from .summary import CLOSED_PIPE, CTRL_C, STDOUT, WRITE_FAILED, Progress, Summary
from .writing import ERROR_COLUMNS, Outputs, UsageError, WriteFailed, check_paths, rejected_row

__all__ = [
    "BOOLEANS", "CLOSED_PIPE", "CTRL_C", "ERROR_COLUMNS", "WRITE_FAILED", "FORMATS", "PERIOD_COLUMN", "CsvSource", "RowEvaluator", "RowOutcome",
    "Settings", "Summary", "Unreadable", "UsageError", "default_jobs", "output_columns", "parse_csv",
    "csv_line", "read_csv", "rejected_row", "resume", "run", "spreadsheet_safe",
]  # fmt: skip


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
    as a whole cannot be read (unreadable, unknown column…) or an option is invalid
    (:class:`UsageError` when the options contradict each other); a row never raises. The
    progress bar (on a terminal) and the summary go to ``stderr``, and nowhere when it is
    ``None``: a program calling ``run`` reads the returned summary instead, whose
    :attr:`Summary.complete` says whether every row is in the results or the errors, and
    :attr:`Summary.stopped` why not. ``period`` is the former name of ``periode`` (deprecated).
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
    output = Path(output_path) if output_path is not None else None
    source = read_csv(input_path, book)
    errors = Path(errors_path) if errors_path else _beside(output or source.path, output_format)
    check_paths(source.path, output, errors)
    settings = Settings(source.columns, periode, dict(conventions or {}), output_format, explain)
    summary = Summary(source, str(parsed_period), str(output) if output else STDOUT, errors, book)
    evaluator = RowEvaluator(book, settings)
    files = Outputs(output, errors, output_format, stdout or sys.stdout)
    with StopRequest() as stop:
        progress = Progress(source.rows, stderr)
        rows = outcomes(source, evaluator, min(jobs or default_jobs(), max(source.rows, 1)), stop)
        try:
            files.start(provenance_comment(book, applied), evaluator.columns)
            with closing(rows):
                for chunk in rows:
                    for outcome in chunk:
                        summary.record(outcome)
                        files.write(outcome)
                    files.flush()
                    progress.update(summary)
        except KeyboardInterrupt:  # raised where no signal handler could be set (not the main thread)
            summary.stopped = CTRL_C
        except BrokenPipeError:
            summary.stopped = CLOSED_PIPE
        except WriteFailed as failure:
            summary.stopped, summary.write_failure = WRITE_FAILED, str(failure)
        except BaseException:
            files.discard()
            raise
        finally:
            progress.close(summary)
        if summary.stopped is None and stop.signal is not None and summary.done < source.rows:
            summary.stopped = CTRL_C  # a Ctrl-C after the last row interrupted nothing
    _finish(files, summary)
    stderr.write(summary.text())
    return summary


def _finish(files: Outputs, summary: Summary) -> None:
    if summary.stopped == WRITE_FAILED:
        files.discard()
        return
    try:
        files.finish(None if summary.complete else summary.stop_reason())
    except (WriteFailed, BrokenPipeError) as failure:
        files.discard()
        summary.stopped = WRITE_FAILED
        summary.write_failure = str(failure) if isinstance(failure, WriteFailed) else "sortie standard fermée"


def _beside(path: Path, output_format: str) -> Path:
    return path.with_name(f"{path.stem}.erreurs.{'csv' if output_format == 'csv' else 'jsonl'}")
