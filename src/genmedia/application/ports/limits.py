"""Counters of hits in fixed windows: request rate limits and login throttling."""

from __future__ import annotations

import abc

import attrs


@attrs.frozen
class Count:
    """The hits counted in the current window of a key, and the seconds until it ends."""

    hits: int
    resets_in: float


class Counters(abc.ABC):
    """Hits per key in fixed windows; shared by every process when kept in Redis."""

    @abc.abstractmethod
    def hit(self, key: str, window: float) -> Count:
        """Count one hit of `key` in its current window of `window` seconds."""

    @abc.abstractmethod
    async def hit_from_loop(self, key: str, window: float) -> Count:
        """`hit`, for a caller on an event loop: it never blocks the loop on I/O."""

    async def leave_loop(self) -> None:  # noqa: B027 (nothing to let go of by default)
        """Let go of what `hit_from_loop` holds for the running loop, which is ending."""

    @abc.abstractmethod
    def peek(self, key: str) -> Count:
        """The count of `key`'s current window, without a hit (zero if none)."""

    @abc.abstractmethod
    def clear(self, key: str) -> None:
        """Forget the count of `key`."""
