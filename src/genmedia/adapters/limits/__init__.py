"""Counters of hits per key in fixed windows: in this process, or shared in Redis."""

from genmedia.adapters.limits.memory import MemoryCounters
from genmedia.adapters.limits.redis import RedisCounters

__all__ = ["MemoryCounters", "RedisCounters"]
