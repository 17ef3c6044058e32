"""Re-running a use case that lost an optimistic race."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from genmedia.application.errors import StaleAggregate

STALE_ATTEMPTS = 8
T = TypeVar("T")


def retry_stale(action: Callable[[], T], attempts: int = STALE_ATTEMPTS) -> T:
    """Run `action`, running it again while it raises StaleAggregate, up to `attempts` times."""
    for _ in range(attempts - 1):
        try:
            return action()
        except StaleAggregate:
            continue
    return action()
