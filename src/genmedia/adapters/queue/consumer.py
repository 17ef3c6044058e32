"""A Redis consumer whose acks go to Redis in batches, together with the next fetch.

Dramatiq's Redis consumer acks each message from the worker thread that ran it: one round
trip per message, on top of the consumer thread's fetches. Here a worker thread only notes
the ack; the consumer thread sends the noted acks with its next fetch, in one pipeline (it
fetches at once when its local messages run low). While all its threads are busy it fetches
nothing, and acks noted then go on their own once they have waited ACK_FLUSH_MS. The script
calls are Dramatiq's own; only their grouping differs.

The consumer also hands each batch it fetches to `on_fetch` (if the broker has one) before
any worker thread sees its messages: a worker claims the batch's jobs in one statement.

An ack that has not reached Redis yet is at worst a message delivered again after this
process died: the job's guarded claim makes that harmless. Acks survive a broken
connection: they stay with the broker, and the consumer that replaces this one sends them.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import redis
from dramatiq.broker import MessageProxy
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.common import compute_backoff, current_millis
from dramatiq.errors import ConnectionClosed
from dramatiq.message import Message

from genmedia.adapters.queue.scripts import dispatch_many

log = logging.getLogger(__name__)

# Acks ride along with fetches; while a busy consumer fetches nothing, they wait this long.
ACK_FLUSH_MS = 1000


class BatchingRedisConsumer(_RedisConsumer):
    """Dramatiq's Redis consumer with batched acks (see the module docstring)."""

    def __init__(
        self,
        broker: RedisBroker,
        queue_name: str,
        prefetch: int,
        timeout: int,
        acks: deque[str],
        on_fetch: Callable[[Sequence[Message[Any]]], None] | None = None,
    ) -> None:
        super().__init__(broker, queue_name, prefetch, timeout)  # type: ignore[no-untyped-call]
        self.acks = acks
        self.on_fetch = on_fetch
        self.exchanged_at = current_millis()
        self.low_water = max(prefetch // 2, 1)
        self.wake = threading.Event()

    def ack(self, message: MessageProxy) -> None:
        """Note the ack; the consumer thread sends it with its next fetch."""
        self.acks.append(message.options["redis_message_id"])
        self.queued_message_ids.discard(message.message_id)
        if self.outstanding_message_count <= self.low_water:
            self.wake.set()

    def __next__(self) -> MessageProxy | None:
        """The next message, or None after an idle wait (as Dramatiq's consumer does)."""
        while True:
            if self.message_cache:  # decoded messages here, unlike in Dramatiq's consumer
                self.misses = 0
                message = self.message_cache.pop(0)
                self.queued_message_ids.add(message.message_id)
                return MessageProxy(message)
            room = self.prefetch - self.outstanding_message_count
            fetch = room if self.outstanding_message_count <= self.low_water else 0
            fetched = self._exchange(fetch) if fetch or self._acks_due() else []
            if fetched:
                self.message_cache = [Message.decode(data) for data in fetched]
                if self.on_fetch is not None:
                    try:
                        self.on_fetch(self.message_cache)
                    except Exception:  # the batch must reach the threads all the same
                        log.exception("on_fetch failed for %s messages", len(fetched))
                continue
            if fetch:
                self.misses, wait_ms = compute_backoff(self.misses, max_backoff=self.timeout)
            else:
                wait_ms = self.timeout
            self.wake.wait(wait_ms / 1000)
            self.wake.clear()
            return None

    def _acks_due(self) -> bool:
        """Whether acks noted should go without a fetch: they waited ACK_FLUSH_MS already."""
        return bool(self.acks) and current_millis() - self.exchanged_at >= ACK_FLUSH_MS

    def close(self) -> None:
        """Send the acks still noted, then close."""
        try:
            self._exchange(0)
        finally:
            super().close()

    def _exchange(self, fetch: int) -> list[bytes]:
        """Send the noted acks and, if `fetch`, fetch up to that many messages; in one round
        trip. The messages fetched (never None: a message deleted meanwhile is skipped)."""
        sent = _take_all(self.acks)
        if not sent and not fetch:
            return []
        broker = self.broker
        now = self.exchanged_at = current_millis()

        def args(command: str, maintenance: int, *rest: Any) -> list[Any]:
            return [
                command,
                now,
                self.queue_name,
                broker.broker_id,
                broker.heartbeat_timeout,
                broker.dead_message_ttl,
                maintenance,
                broker._max_unpack_size(),
                *rest,
            ]

        calls = [args("ack", 0, message_id) for message_id in sent]
        if fetch:
            calls.append(args("fetch", broker._should_do_maintenance("fetch"), fetch))
        try:
            results = dispatch_many(broker, calls)
        except redis.ConnectionError as error:
            self.acks.extendleft(reversed(sent))
            raise ConnectionClosed(error) from None  # type: ignore[no-untyped-call]
        return [data for data in results[-1] if data is not None] if fetch else []


def _take_all(items: deque[str]) -> list[str]:
    taken = []
    while True:
        try:
            taken.append(items.popleft())
        except IndexError:
            return taken
