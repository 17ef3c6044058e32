"""What a Dramatiq broker holds, read without consuming it, and the recovery of messages
fetched by consumers that died.

Dramatiq's Redis broker keeps every message of a queue in the hash `{ns}:{queue}.msgs`
from its enqueue until its ack: while it waits in the queue's list, while it waits in
the delay queue (`{queue}.DQ`, whose messages are in `{ns}:{queue}.DQ.msgs`), and while
a consumer has fetched it (its id then sits in that consumer's ack set). Its maintenance,
part of the dispatch script, pushes the fetched, unacknowledged messages of brokers whose
heartbeat is older than the timeout it is given back onto their queues. These are the
layouts of the locked Dramatiq version; tests/integration/test_dramatiq_broker.py checks
them. The in-process broker holds queued and delayed messages in its queues.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from dramatiq import Message
from dramatiq.broker import Broker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import current_millis, dq_name

from genmedia.adapters.queue.scripts import dispatch_many


def held(broker: Broker, queue_name: str) -> Iterator[Message[Any]]:
    """Every message of the queue and its delay queue that the broker holds."""
    if isinstance(broker, RedisBroker):
        for _, _, message in held_in_redis(broker, queue_name):
            yield message
    elif isinstance(broker, StubBroker):
        for name in (queue_name, dq_name(queue_name)):
            if name in broker.queues:
                yield from map(Message.decode, list(broker.queues[name].queue))


def held_in_redis(broker: RedisBroker, queue_name: str) -> Iterator[tuple[str, str, Message[Any]]]:
    """Every message of the queue and its delay queue in Redis: its Redis id, the name of
    the queue it is in and the message."""
    for name in (queue_name, dq_name(queue_name)):
        for key, data in broker.client.hgetall(f"{broker.namespace}:{name}.msgs").items():
            yield _text(key), name, Message.decode(_bytes(data))


def discard(broker: RedisBroker, located: Iterable[tuple[str, str]]) -> int:
    """Delete these (Redis id, queue name) messages from Redis: from their queue's hash,
    so that no fetch returns them and no maintenance requeues them, then from its list. A
    consumer that fetched one already still runs it; its ack then finds nothing. How many
    were deleted."""
    with broker.client.pipeline(transaction=False) as pipe:
        for redis_id, name in located:
            pipe.hdel(f"{broker.namespace}:{name}.msgs", redis_id)
            pipe.lrem(f"{broker.namespace}:{name}", 0, redis_id)
        results = pipe.execute()
    return int(sum(results[0::2]))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


def recover_unacked(broker: RedisBroker, queue_name: str, dead_after_ms: int) -> None:
    """Run Dramatiq's maintenance on the queue and its delay queue now (a fetch of no
    message, with maintenance on), taking brokers silent for `dead_after_ms` as dead."""
    now = current_millis()
    unpack = broker._max_unpack_size()  # type: ignore[no-untyped-call]
    calls = [
        ["fetch", now, name, broker.broker_id, dead_after_ms, broker.dead_message_ttl, 1,
         unpack, 0]
        for name in (queue_name, dq_name(queue_name))
    ]  # fmt: skip
    dispatch_many(broker, calls)
