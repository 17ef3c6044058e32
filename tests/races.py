"""Running one action in several threads at once, for race tests on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def race(n: int, action: Callable[[int], T]) -> list[T | Exception]:
    """Run `action(i)` in n threads that start together; results or raised errors, in order."""
    barrier = threading.Barrier(n)

    def run(i: int) -> T | Exception:
        barrier.wait()
        try:
            return action(i)
        except Exception as error:
            return error

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))
