"""Where the rows are evaluated: in this process, or by worker processes, and how Ctrl-C stops them.

Rows are read from the source as the work goes, never all at once: the parallel path keeps at
most :data:`_TASKS_PER_WORKER` chunks of :data:`_MAX_CHUNK` rows per worker in flight, and yields
the outcomes in input order, so the memory of a batch is the same for a thousand rows or a million.
Each worker loads and compiles the rules once.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from types import FrameType
from typing import Any

from ..errors import CmsLawError
from ..evaluator import compiled_for, parse_period
from ..loader import load_rulebook
from ..model import RuleBook
from .reading import CsvSource, Record
from .rows import RowEvaluator, RowOutcome, Settings

# Rows per task sent to a worker process: large enough that inter-process traffic is small
# beside the evaluations, small enough that the work stays spread evenly and an interruption
# loses little.
_MAX_CHUNK = 128
# Tasks queued per worker: keeps every worker busy while bounding the rows held in memory.
_TASKS_PER_WORKER = 4

Outcomes = Generator[list[RowOutcome], None, None]


class StopRequest:
    """Ctrl-C asks the batch to stop after the rows under way, so that no row is half written;
    a second Ctrl-C stops at once: the worker processes are killed, the rows they held are not
    written, and the batch ends as after the first (the files hold every row done, whole)."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self.now = False
        self._previous: Any = None

    def __enter__(self) -> StopRequest:
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread: Ctrl-C keeps its default behaviour
            pass
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signal is not None:
            self.now = True
            for child in multiprocessing.active_children():
                child.kill()
        self.signal = signum

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def outcomes(source: CsvSource, evaluator: RowEvaluator, jobs: int, stop: StopRequest) -> Outcomes:
    """The outcome of every row, in input order, by chunks; ``jobs`` processes when more than one."""
    if jobs > 1:
        return _parallel(source, evaluator.settings, evaluator.book, jobs, stop)
    return _sequential(source, evaluator, stop)


def _sequential(source: CsvSource, evaluator: RowEvaluator, stop: StopRequest) -> Outcomes:
    for line, cells in source.records():
        if stop.signal is not None:
            return
        yield [evaluator(line, cells)]


def _parallel(source: CsvSource, settings: Settings, book: RuleBook, jobs: int, stop: StopRequest) -> Outcomes:
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
                if stop.now:
                    return
                raise CmsLawError(
                    "un processus de calcul s'est arrêté brutalement (mémoire épuisée ?) ; les résultats"
                    " écrits jusqu'ici sont complets, relancer avec --jobs 1 pour trouver la ligne en cause"
                ) from None
            following = next(chunks, None)
            if following is not None:
                pending.append(pool.submit(_evaluate_chunk, following))
            yield done
    finally:
        pool.shutdown(wait=not stop.now, cancel_futures=True)


# --------------------------------------------------------------------------- in a worker process

_WORKER: RowEvaluator | None = None


def _start_worker(settings: Settings, book: RuleBook | None) -> None:
    """Load (or receive: a reformed book) and compile the rules once per worker process, before its first row."""
    global _WORKER
    # Ctrl-C reaches every process of the terminal: the parent alone decides to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    book = book or load_rulebook()
    compiled_for(book, parse_period(book, settings.period))
    _WORKER = RowEvaluator(book, settings)


def _evaluate_chunk(chunk: Sequence[Record]) -> list[RowOutcome]:
    assert _WORKER is not None, "worker started without its initializer"
    return [_WORKER(line, cells) for line, cells in chunk]


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
