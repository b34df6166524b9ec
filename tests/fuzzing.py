"""What the fuzzing suites share: each example bounded in time, and the long profile, which counts
the outcomes of many examples instead of stopping at the first unexpected one."""

from __future__ import annotations

import collections
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import SearchStrategy

#: The profile run with the test suite: no deadline (the machine is shared), no health check on
#: slow or large examples (they are the point).
SHORT = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class Hang(Exception):
    """An example ran longer than it was given."""


@contextmanager
def bounded(seconds: int) -> Iterator[None]:
    """Raise :class:`Hang` in the block once ``seconds`` have passed (main thread, Unix)."""

    def stop(signum: int, frame: object) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


class Outcomes:
    """In the test suite, an outcome not in ``accepted`` fails the test; in the long profile
    (:meth:`count`), every outcome is counted."""

    def __init__(self, *accepted: str) -> None:
        self.accepted = accepted
        self.tally: collections.Counter[str] | None = None

    def check(self, outcome: str) -> None:
        if self.tally is not None:
            self.tally[outcome] += 1
            return
        assert outcome in self.accepted, outcome

    def count(self, test: Any, strategy: SearchStrategy[Any], examples: int) -> tuple[collections.Counter[str], float]:
        """Run ``test`` (a Hypothesis test) on ``examples`` drawn examples: its outcomes and seconds."""
        self.tally = collections.Counter()
        started = time.monotonic()
        inner: Callable[..., None] = test.hypothesis.inner_test
        try:
            given(strategy)(settings(SHORT, max_examples=examples, database=None)(inner))()
            return self.tally, time.monotonic() - started
        finally:
            self.tally = None
