"""Counters kept in this process: the embedded default."""

from __future__ import annotations

import threading
import time

from genmedia.application.ports import Count, Counters

SWEEP_AT = 10_000


class MemoryCounters(Counters):
    """Fixed-window counters in a dict, safe across threads; each process counts alone."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, float]] = {}

    def hit(self, key: str, window: float) -> Count:
        """Count one hit of `key` in its current window of `window` seconds."""
        now = time.monotonic()
        with self._lock:
            hits, ends = self._windows.get(key, (0, 0.0))
            if ends <= now:
                hits, ends = 0, now + window
                if len(self._windows) >= SWEEP_AT:
                    self._sweep(now)
            self._windows[key] = (hits + 1, ends)
        return Count(hits + 1, ends - now)

    async def hit_from_loop(self, key: str, window: float) -> Count:
        """`hit`: it does no I/O, so it runs on the loop itself."""
        return self.hit(key, window)

    def peek(self, key: str) -> Count:
        """The count of `key`'s current window, without a hit (zero if none)."""
        now = time.monotonic()
        with self._lock:
            hits, ends = self._windows.get(key, (0, 0.0))
        return Count(hits, ends - now) if ends > now else Count(0, 0.0)

    def clear(self, key: str) -> None:
        """Forget the count of `key`."""
        with self._lock:
            self._windows.pop(key, None)

    def _sweep(self, now: float) -> None:
        self._windows = {k: v for k, v in self._windows.items() if v[1] > now}
