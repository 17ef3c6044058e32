"""Waiting on other threads in tests, with a bound so that a hang fails instead."""

from __future__ import annotations

import threading
from collections.abc import Callable

WAIT = 10.0


def wait_until(condition: Callable[[], bool]) -> None:
    """Return once `condition()` holds; fail after about ten seconds."""
    done = threading.Event()
    for _ in range(1000):
        if condition():
            return
        done.wait(0.01)
    raise AssertionError("condition not reached")
