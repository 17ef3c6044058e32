"""Dramatiq's Redis dispatch script, called many times in one round trip.

redis-py's pipeline asks Redis whether a pipeline's scripts are loaded (SCRIPT EXISTS)
before every execution: a second round trip each time. Calling the script by its digest
avoids that; in the rare case that Redis no longer has it (restarted or flushed), every
call of the pipeline failed, so the script is loaded and the pipeline sent once more.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis
from dramatiq.brokers.redis import RedisBroker


def dispatch_many(broker: RedisBroker, calls: Sequence[Sequence[Any]]) -> list[Any]:
    """Run the broker's dispatch script once per argument list, in one pipeline; the results
    in order."""
    script = broker.scripts["dispatch"]
    for attempt in range(2):
        with broker.client.pipeline(transaction=False) as pipe:
            for args in calls:
                pipe.evalsha(script.sha, 1, broker.namespace, *args)
            try:
                return list(pipe.execute())
            except redis.exceptions.NoScriptError:
                if attempt:
                    raise
        broker.client.script_load(script.script)
    raise AssertionError("unreachable")
