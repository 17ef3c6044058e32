"""Counters kept in Redis, shared by every API process."""

from __future__ import annotations

from typing import Any

import redis

from genmedia.application.ports import Count, Counters

# One atomic step: count the hit, start the window's expiry on its first hit, read what is left.
_HIT = """
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {hits, redis.call('PTTL', KEYS[1])}
"""


class RedisCounters(Counters):
    """Fixed-window counters under `{namespace}:limits:`, one key per window."""

    def __init__(self, url: str, namespace: str) -> None:
        self._redis: Any = redis.Redis.from_url(url)
        self._prefix = f"{namespace}:limits:"
        self._hit = self._redis.register_script(_HIT)

    def hit(self, key: str, window: float) -> Count:
        """Count one hit of `key` in its current window of `window` seconds."""
        hits, ttl = self._hit(keys=[self._prefix + key], args=[max(1, int(window * 1000))])
        return Count(int(hits), max(int(ttl), 0) / 1000)

    def peek(self, key: str) -> Count:
        """The count of `key`'s current window, without a hit (zero if none)."""
        with self._redis.pipeline() as pipe:
            hits, ttl = pipe.get(self._prefix + key).pttl(self._prefix + key).execute()
        return Count(int(hits or 0), max(int(ttl), 0) / 1000) if hits else Count(0, 0.0)

    def clear(self, key: str) -> None:
        """Forget the count of `key`."""
        self._redis.delete(self._prefix + key)

    def close(self) -> None:
        """Close the connection pool."""
        self._redis.close()
