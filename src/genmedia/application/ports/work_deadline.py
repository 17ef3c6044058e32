"""The wall-clock deadline of the job whose provider work runs in this thread (issue #18).

One deadline covers a job's whole life at its provider: its submit, its polls and the
download of its outputs. The runner sets it around each step of a job (`work_until`); a
provider adapter asks `seconds_left` before each network call and ends the call by then.
A context variable, so each worker thread (and each job it runs) has its own.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "genmedia_job_deadline", default=None
)


@contextlib.contextmanager
def work_until(seconds: float | None) -> Iterator[None]:
    """Bound this thread's provider work to `seconds` from now (None: no bound) meanwhile."""
    token = _DEADLINE.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def seconds_left() -> float | None:
    """Seconds left before this thread's job deadline (None: no deadline); 0 or less once
    it has passed."""
    deadline = _DEADLINE.get()
    return None if deadline is None else deadline - time.monotonic()
