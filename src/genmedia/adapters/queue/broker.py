"""Building the Dramatiq broker and sending job messages through it."""

from __future__ import annotations

import threading
import weakref
from collections import deque
from collections.abc import Callable, Collection, Sequence
from typing import Any
from uuid import uuid4

from dramatiq import Message
from dramatiq.broker import Broker, Consumer
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import current_millis, dq_name

from genmedia.adapters.queue.consumer import BatchingRedisConsumer
from genmedia.adapters.queue.held import discard, held, held_in_redis, recover_unacked
from genmedia.adapters.queue.scripts import dispatch_many
from genmedia.application.ports import JobQueue

QUEUE = "genmedia-jobs"
RUN_ACTOR = "genmedia_run_job"
DELAY_POLL_MS = 100
POLL_ACTOR = "genmedia_poll_job"


class PipelinedRedisBroker(RedisBroker):
    """Dramatiq's RedisBroker, plus `enqueue_all` (many messages in one round trip) and
    consumers that send their acks in batches (see `consumer`).

    `on_fetch`, when set, gets each batch of messages a consumer fetches, before worker
    threads see them. Messages sent from this process wake its consumers of their queue,
    which then fetch at once instead of at their next poll."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)  # type: ignore[no-untyped-call]
        self._acks: dict[str, deque[str]] = {}
        self._lock = threading.Lock()  # guards _acks and _consumers
        self.on_fetch: Callable[[Sequence[Message[Any]]], None] | None = None
        self._consumers: weakref.WeakSet[BatchingRedisConsumer] = weakref.WeakSet()

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 5000) -> Consumer:
        """A consumer of the queue whose acks go to Redis with its fetches; the acks it
        has not sent yet pass to the next consumer of the queue if it stops.

        A delay queue is polled at most every DELAY_POLL_MS when idle: its messages wait
        seconds anyway, and a worker's quick poll of its run queue need not be doubled."""
        with self._lock:
            acks = self._acks.setdefault(queue_name, deque())
        if queue_name == dq_name(queue_name):
            timeout = max(timeout, DELAY_POLL_MS)
        consumer = BatchingRedisConsumer(self, queue_name, prefetch, timeout, acks, self.on_fetch)
        with self._lock:
            self._consumers.add(consumer)
        return consumer

    def enqueue_all(self, messages: Sequence[Message[None]]) -> None:
        """Enqueue messages for now (no delay), as `enqueue` would one by one, but through
        one Redis pipeline.

        Each message goes through the same middleware hooks and the same call of Dramatiq's
        dispatch script, with its arguments in the order `RedisBroker._dispatch` gives them
        (the script's contract in the locked Dramatiq version); the integration tests have a
        plain Dramatiq worker consume messages sent this way.
        """
        unpack = self._max_unpack_size()  # type: ignore[no-untyped-call]
        sent, calls = [], []
        for original in messages:
            message = original.copy(options={"redis_message_id": str(uuid4())})
            self.emit_before("enqueue", message, None)
            calls.append(
                [
                    "enqueue",
                    current_millis(),
                    message.queue_name,
                    self.broker_id,
                    self.heartbeat_timeout,
                    self.dead_message_ttl,
                    0,  # no maintenance here: the consumers' fetches do it
                    unpack,
                    message.options["redis_message_id"],
                    message.encode(),
                ]
            )
            sent.append(message)
        dispatch_many(self, calls)
        for message in sent:
            self.emit_after("enqueue", message, None)
        self._wake_consumers({message.queue_name for message in sent})

    def _wake_consumers(self, queue_names: set[str]) -> None:
        """Let this process's consumers of these queues fetch now, not at their next poll."""
        with self._lock:
            consumers = list(self._consumers)
        for consumer in consumers:
            if consumer.queue_name in queue_names:
                consumer.wake.set()


def make_broker(redis_url: str | None, namespace: str = "genmedia") -> Broker:
    """A Redis broker at `redis_url`, or an in-process broker when there is none."""
    if not redis_url:
        broker: Broker = StubBroker()
    else:
        broker = PipelinedRedisBroker(url=redis_url, namespace=namespace)
    broker.declare_queue(QUEUE)
    return broker


class DramatiqJobQueue(JobQueue):
    """Sends run and poll messages for job ids; the jobs table stays the source of truth."""

    def __init__(self, broker: Broker, queue_name: str = QUEUE) -> None:
        self.broker = broker
        self.queue_name = queue_name

    def _message(self, actor: str, *args: int) -> Message[None]:
        return Message(
            queue_name=self.queue_name, actor_name=actor, args=args, kwargs={}, options={}
        )

    def send_runs(self, job_ids: Sequence[int]) -> None:
        """Ask workers to run these jobs now; on Redis in one round trip."""
        messages = [self._message(RUN_ACTOR, job_id) for job_id in job_ids]
        if isinstance(self.broker, PipelinedRedisBroker):
            self.broker.enqueue_all(messages)
            return
        for message in messages:
            self.broker.enqueue(message)

    def send_poll(self, job_id: int, delay: float, token: int) -> None:
        """Ask a worker to poll the job's task after `delay` seconds, without holding a
        thread; the message carries the job's poll token."""
        message = self._message(POLL_ACTOR, job_id, token)
        self.broker.enqueue(message, delay=max(int(delay * 1000), 1))

    def poll_messages(self) -> list[tuple[int, int | None]]:
        """The (job id, token) of every poll message the broker holds (see `held`). A
        message on its way from the delay queue to the work queue is held twice for a
        moment, under one message id: it counts once."""
        messages = {m.message_id: m for m in held(self.broker, self.queue_name)}
        return [poll for poll in map(_poll_of, messages.values()) if poll]

    def discard_polls(self, polls: Collection[tuple[int, int | None]]) -> int:
        """On Redis, delete every held poll message with one of these (job id, token); how
        many. The in-process broker keeps its messages."""
        if not isinstance(self.broker, RedisBroker) or not polls:
            return 0
        wanted = set(polls)
        located = [
            (redis_id, name)
            for redis_id, name, message in held_in_redis(self.broker, self.queue_name)
            if _poll_of(message) in wanted
        ]
        return discard(self.broker, located)

    def recover(self, dead_after: float) -> None:
        """On Redis, run Dramatiq's maintenance of both queues now, with `dead_after` as the
        heartbeat timeout: the messages of brokers silent that long go back to their queues."""
        if isinstance(self.broker, RedisBroker):
            recover_unacked(self.broker, self.queue_name, round(dead_after * 1000))


def _poll_of(message: Message[Any]) -> tuple[int, int | None] | None:
    """The (job id, token) of a poll message; None for any other message."""
    if message.actor_name != POLL_ACTOR or not message.args:
        return None
    job_id, *rest = message.args
    token = rest[0] if rest and type(rest[0]) is int else None
    return (job_id, token) if type(job_id) is int else None


def ping(broker: Broker) -> None:
    """Ask a Redis broker's server for a PONG; an in-process broker is always there."""
    client = getattr(broker, "client", None)
    if client is not None:
        client.ping()
