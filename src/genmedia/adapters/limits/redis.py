"""Counters kept in Redis, shared by every API process."""

from __future__ import annotations

import asyncio
import threading
import weakref
from typing import Any

import redis
import redis.asyncio

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
        self._url = url
        self._redis: Any = redis.Redis.from_url(url)
        self._prefix = f"{namespace}:limits:"
        self._hit = self._redis.register_script(_HIT)
        # An asyncio client belongs to the loop it was made on: one per loop, made on first use.
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any]
        self._by_loop = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def hit(self, key: str, window: float) -> Count:
        """Count one hit of `key` in its current window of `window` seconds."""
        hits, ttl = self._hit(keys=[self._prefix + key], args=[max(1, int(window * 1000))])
        return Count(int(hits), max(int(ttl), 0) / 1000)

    async def hit_from_loop(self, key: str, window: float) -> Count:
        """`hit` through this loop's asyncio client, without a thread."""
        hit = self._loop_script(asyncio.get_running_loop())
        hits, ttl = await hit(keys=[self._prefix + key], args=[max(1, int(window * 1000))])
        return Count(int(hits), max(int(ttl), 0) / 1000)

    async def leave_loop(self) -> None:
        """Close the running loop's asyncio client, if it made one."""
        with self._lock:
            script = self._by_loop.pop(asyncio.get_running_loop(), None)
        if script is not None:
            await script.registered_client.aclose()

    def _loop_script(self, loop: asyncio.AbstractEventLoop) -> Any:
        with self._lock:
            script = self._by_loop.get(loop)
            if script is None:
                client = redis.asyncio.Redis.from_url(self._url)
                script = self._by_loop[loop] = client.register_script(_HIT)
        return script

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
