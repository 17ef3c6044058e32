"""Job messages on Dramatiq's Redis broker: sent together, consumed by a plain worker."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dramatiq
import pytest
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import current_millis, dq_name
from dramatiq.errors import ConnectionClosed

from genmedia.adapters.queue.broker import (
    DELAY_POLL_MS,
    POLL_ACTOR,
    QUEUE,
    RUN_ACTOR,
    DramatiqJobQueue,
    PipelinedRedisBroker,
    make_broker,
)
from genmedia.adapters.queue.held import held
from genmedia.adapters.queue.worker import InProcessWorker, declare_actors
from tests.waiting import wait_until

pytestmark = pytest.mark.integration
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def broker() -> Iterator[PipelinedRedisBroker]:
    namespace = f"genmedia-test-{secrets.token_hex(4)}"
    broker = make_broker(REDIS_URL, namespace)
    assert isinstance(broker, PipelinedRedisBroker)
    yield broker
    broker.close()
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{namespace}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def consume(broker: dramatiq.Broker, expected: int, actor: str = RUN_ACTOR) -> list[int]:
    """Run a plain Dramatiq worker until `expected` messages for `actor` were processed."""
    seen: list[int] = []
    done = threading.Event()

    def run(job_id: int, *token: int) -> None:
        seen.append(job_id)
        if len(seen) >= expected:
            done.set()

    dramatiq.Actor(run, broker=broker, actor_name=actor, queue_name=QUEUE, priority=0,
                   options={"max_retries": 0})  # fmt: skip
    worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=50)
    worker.start()
    try:
        assert done.wait(20), f"only {len(seen)} of {expected} messages were processed"
    finally:
        worker.stop()
    return seen


def test_runs_sent_together_are_each_processed_once_by_a_plain_dramatiq_worker(
    broker: PipelinedRedisBroker,
) -> None:
    queue = DramatiqJobQueue(broker)
    queue.send_runs(list(range(1, 51)))
    queue.send_runs([51])
    assert sorted(consume(broker, 51)) == list(range(1, 52))
    assert broker.client.llen(f"{broker.namespace}:{QUEUE}") == 0
    assert unacked(broker) == 0
    assert broker.client.hlen(f"{broker.namespace}:{QUEUE}.msgs") == 0


def unacked(broker: PipelinedRedisBroker) -> int:
    """Messages fetched by this broker's consumers and not acked in Redis yet."""
    return int(broker.client.scard(f"{broker.namespace}:__acks__.{broker.broker_id}.{QUEUE}"))


def fetch(consumer: Any, count: int) -> list[Any]:
    """The next `count` messages of a consumer (skipping its idle turns)."""
    messages: list[Any] = []
    for _ in range(1000):
        message = next(consumer)
        if message is not None:
            messages.append(message)
        if len(messages) == count:
            return messages
    raise AssertionError(f"only {len(messages)} of {count} messages arrived")


def test_acks_reach_redis_together_on_the_consumers_next_turn(
    broker: PipelinedRedisBroker,
) -> None:
    DramatiqJobQueue(broker).send_runs([1, 2, 3, 4])
    consumer = broker.consume(QUEUE, prefetch=4, timeout=10)
    try:
        messages = fetch(consumer, 3)
        for message in messages:
            consumer.ack(message)
        assert unacked(broker) == 4  # noted only: no round trip per ack
        assert [m.args for m in [*messages, *fetch(consumer, 1)]] == [(1,), (2,), (3,), (4,)]
        assert unacked(broker) == 4  # the fourth came from the consumer's cache
        assert next(consumer) is None  # a turn with an empty cache: acks go, fetch finds none
        assert unacked(broker) == 1
    finally:
        consumer.close()
    assert unacked(broker) == 1  # the fourth was never acked: Redis still owes it


def test_a_closing_consumer_sends_the_acks_it_noted(broker: PipelinedRedisBroker) -> None:
    DramatiqJobQueue(broker).send_runs([1, 2])
    consumer = broker.consume(QUEUE, prefetch=2, timeout=10)
    for message in fetch(consumer, 2):
        consumer.ack(message)
    assert unacked(broker) == 2
    consumer.close()
    assert unacked(broker) == 0
    assert broker.client.hlen(f"{broker.namespace}:{QUEUE}.msgs") == 0


def test_acks_a_broken_connection_kept_are_sent_by_the_next_consumer(
    broker: PipelinedRedisBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    DramatiqJobQueue(broker).send_runs([1, 2, 3])
    consumer = broker.consume(QUEUE, prefetch=2, timeout=10)
    for message in fetch(consumer, 2):
        consumer.ack(message)

    def broken(*args: object, **kwargs: object) -> None:
        raise redis.ConnectionError("Redis went away")

    with monkeypatch.context() as patch:
        patch.setattr(broker.client, "pipeline", broken)
        with pytest.raises(ConnectionClosed):
            next(consumer)
    assert unacked(broker) == 2
    replacement = broker.consume(QUEUE, prefetch=2, timeout=10)
    try:
        [third] = fetch(replacement, 1)
        assert third.args == (3,)
        assert unacked(broker) == 1  # the two kept acks went with the replacement's fetch
    finally:
        replacement.close()


def test_runs_sent_together_are_processed_by_a_stock_dramatiq_redis_broker(
    broker: PipelinedRedisBroker,
) -> None:
    DramatiqJobQueue(broker).send_runs([5, 6, 7])
    stock = RedisBroker(url=REDIS_URL, namespace=broker.namespace)
    stock.declare_queue(QUEUE)
    try:
        assert sorted(consume(stock, 3)) == [5, 6, 7]
        assert stock.client.hlen(f"{broker.namespace}:{QUEUE}.msgs") == 0
    finally:
        stock.close()


def test_sends_and_fetches_load_the_script_again_after_redis_lost_it(
    broker: PipelinedRedisBroker,
) -> None:
    queue = DramatiqJobQueue(broker)
    queue.send_runs([1])
    broker.client.script_flush()
    queue.send_runs([2, 3])
    consumer = broker.consume(QUEUE, prefetch=4, timeout=10)
    try:
        first = fetch(consumer, 3)
        assert [m.args for m in first] == [(1,), (2,), (3,)]
        for message in first:
            consumer.ack(message)
        broker.client.script_flush()
        assert next(consumer) is None
        assert unacked(broker) == 0
    finally:
        consumer.close()


@contextmanager
def run_and_delay_consumers(broker: PipelinedRedisBroker) -> Iterator[tuple[Any, Any]]:
    """Consumers of the job queue and of its delay queue, closed afterwards."""
    runs = broker.consume(QUEUE, prefetch=2, timeout=10)
    delayed = broker.consume(dq_name(QUEUE), prefetch=2, timeout=10)
    try:
        yield runs, delayed
    finally:
        runs.close()
        delayed.close()


def test_runs_sent_from_this_process_wake_its_consumers_of_their_queue(
    broker: PipelinedRedisBroker,
) -> None:
    with run_and_delay_consumers(broker) as (runs, delayed):
        # Both find their queue empty, wait their poll interval and clear their wake.
        assert [next(runs), next(delayed)] == [None, None]
        assert [runs.wake.is_set(), delayed.wake.is_set()] == [False, False]
        DramatiqJobQueue(broker).send_runs([1])
        assert runs.wake.is_set()
        assert not delayed.wake.is_set()
        assert [m.args for m in fetch(runs, 1)] == [(1,)]


def test_a_delay_queue_is_polled_less_often_than_the_run_queue(
    broker: PipelinedRedisBroker,
) -> None:
    with run_and_delay_consumers(broker) as (runs, delayed):
        assert (runs.timeout, delayed.timeout) == (10, DELAY_POLL_MS)


def test_a_delayed_poll_message_still_reaches_a_worker(broker: PipelinedRedisBroker) -> None:
    DramatiqJobQueue(broker).send_poll(42, 0.05, 7)
    assert consume(broker, 1, actor=POLL_ACTOR) == [42]


def test_the_poll_messages_held_are_read_whether_delayed_due_or_fetched_until_acked(
    broker: PipelinedRedisBroker,
) -> None:
    queue = DramatiqJobQueue(broker)
    queue.send_runs([1])
    queue.send_poll(10, 0.001, 3)
    queue.send_poll(11, 3600, 4)
    assert sorted(queue.poll_messages()) == [(10, 3), (11, 4)]
    consumer = broker.consume(dq_name(QUEUE), prefetch=10, timeout=10)
    try:
        fetched = fetch(consumer, 2)  # both, held by this consumer (one until its eta)
        assert sorted(queue.poll_messages()) == [(10, 3), (11, 4)]
        [soon] = [m for m in fetched if m.args == (10, 3)]
        consumer.ack(soon)
        assert sorted(queue.poll_messages()) == [(10, 3), (11, 4)]  # the ack is only noted
        fetch_turns(consumer)  # a turn sends it
        assert queue.poll_messages() == [(11, 4)]
    finally:
        consumer.close()


def fetch_turns(consumer: Any, turns: int = 3) -> None:
    """Let a consumer take a few turns (each sends the acks it noted)."""
    for _ in range(turns):
        next(consumer)


def test_the_messages_a_dead_consumer_fetched_are_given_back_to_their_queue(
    broker: PipelinedRedisBroker,
) -> None:
    queue = DramatiqJobQueue(broker)
    queue.send_poll(12, 3600, 5)
    other = make_broker(REDIS_URL, broker.namespace)  # another worker process's broker
    assert isinstance(other, PipelinedRedisBroker)
    consumer = other.consume(dq_name(QUEUE), prefetch=10, timeout=10)
    [held] = fetch(consumer, 1)
    assert held.args == (12, 5)
    delayed = f"{broker.namespace}:{dq_name(QUEUE)}"
    mine = f"{broker.namespace}:__acks__.{other.broker_id}.{dq_name(QUEUE)}"
    assert (broker.client.llen(delayed), broker.client.scard(mine)) == (0, 1)
    queue.recover(3600)  # its process is alive: nothing moves
    assert (broker.client.llen(delayed), broker.client.scard(mine)) == (0, 1)
    wait_until(lambda: _silent_for(broker, other.broker_id, 0.3))  # then its process dies
    queue.recover(0.2)
    assert (broker.client.llen(delayed), broker.client.scard(mine)) == (1, 0)
    assert queue.poll_messages() == [(12, 5)]
    other.client.close()


def _silent_for(broker: PipelinedRedisBroker, broker_id: str, seconds: float) -> bool:
    """Whether the broker with this id sent Redis nothing for `seconds` (Dramatiq's heartbeat)."""
    beat = broker.client.zscore(f"{broker.namespace}:__heartbeats__", broker_id)
    return beat is not None and current_millis() - beat > seconds * 1000


def test_the_in_process_broker_shows_the_poll_messages_it_holds() -> None:
    queue = DramatiqJobQueue(make_broker(None))
    queue.send_poll(13, 3600, 6)
    queue.send_runs([2])
    assert queue.poll_messages() == [(13, 6)]
    queue.recover(0.0)  # nothing to recover in one process
    assert queue.poll_messages() == [(13, 6)]


def test_a_worker_hands_each_fetched_batch_of_run_jobs_to_claim_before_running_them(
    broker: PipelinedRedisBroker,
) -> None:
    batches: list[list[int]] = []
    runs: list[tuple[int, bool]] = []
    polls: list[int] = []
    done = threading.Event()

    def run(job_id: int) -> None:
        runs.append((job_id, any(job_id in batch for batch in batches)))
        if len(runs) == 6 and polls:
            done.set()

    def poll(job_id: int, token: int) -> None:
        polls.append(job_id)
        if len(runs) == 6:
            done.set()

    declare_actors(broker, run=run, poll=poll, claim=batches.append)
    queue = DramatiqJobQueue(broker)
    queue.send_poll(99, 0.01, 1)
    queue.send_runs([1, 2, 3, 4, 5, 6])
    worker = InProcessWorker(broker, threads=2)
    worker.start()
    try:
        assert done.wait(20), f"ran {runs}, polled {polls}"
    finally:
        worker.stop()
    assert sorted(runs) == [(job_id, True) for job_id in range(1, 7)]
    assert sorted(job_id for batch in batches for job_id in batch) == [1, 2, 3, 4, 5, 6]
    assert polls == [99]


def test_a_fetched_batch_reaches_the_threads_even_if_its_claim_hook_fails(
    broker: PipelinedRedisBroker,
) -> None:
    def broken(messages: object) -> None:
        raise RuntimeError("the claim hook broke")

    broker.on_fetch = broken
    DramatiqJobQueue(broker).send_runs([1, 2])
    consumer = broker.consume(QUEUE, prefetch=2, timeout=10)
    try:
        assert [m.args for m in fetch(consumer, 2)] == [(1,), (2,)]
    finally:
        consumer.close()


def test_only_well_formed_run_messages_due_now_are_claimed_at_fetch(
    broker: PipelinedRedisBroker,
) -> None:
    batches: list[list[int]] = []
    declare_actors(broker, run=lambda job_id: None, poll=lambda job_id: None, claim=batches.append)
    assert broker.on_fetch is not None

    def message(actor: str, *args: object, **options: object) -> dramatiq.Message[None]:
        return dramatiq.Message(
            queue_name=QUEUE, actor_name=actor, args=args, kwargs={}, options=dict(options)
        )

    broker.on_fetch(
        [
            message(RUN_ACTOR, 1),
            message(POLL_ACTOR, 2),
            message(RUN_ACTOR, 3, eta=123),
            message(RUN_ACTOR, "4"),
            message(RUN_ACTOR, True),
            message(RUN_ACTOR),
            message(RUN_ACTOR, 5, 6),
            message(RUN_ACTOR, 7),
        ]
    )
    assert batches == [[1, 7]]


def test_messages_sent_together_pass_through_the_middleware_hooks(
    broker: PipelinedRedisBroker,
) -> None:
    calls: list[tuple[str, int]] = []

    class Recorder(dramatiq.Middleware):
        def before_enqueue(
            self, broker: object, message: dramatiq.Message[None], delay: object
        ) -> None:
            calls.append(("before", message.args[0]))

        def after_enqueue(
            self, broker: object, message: dramatiq.Message[None], delay: object
        ) -> None:
            calls.append(("after", message.args[0]))

    broker.add_middleware(Recorder())
    DramatiqJobQueue(broker).send_runs([7, 8])
    assert calls == [("before", 7), ("before", 8), ("after", 7), ("after", 8)]
    assert sorted(consume(broker, 2)) == [7, 8]


def test_without_redis_runs_are_enqueued_one_by_one_on_the_in_process_broker() -> None:
    broker = make_broker(None)
    assert isinstance(broker, StubBroker)
    DramatiqJobQueue(broker).send_runs([3, 4])
    queued = [dramatiq.Message.decode(data).args for data in broker.queues[QUEUE].queue]
    assert queued == [(3,), (4,)]


def test_a_poll_message_on_its_way_from_the_delay_queue_counts_once(
    broker: PipelinedRedisBroker,
) -> None:
    queue = DramatiqJobQueue(broker)
    queue.send_poll(14, 3600, 8)
    [delayed] = list(held(broker, QUEUE))
    broker.enqueue(delayed.copy(queue_name=QUEUE))  # what a worker does once its eta comes
    assert len(list(held(broker, QUEUE))) == 2  # the delayed copy is acked a moment later
    assert queue.poll_messages() == [(14, 8)]


def test_discarded_poll_messages_are_never_delivered(broker: PipelinedRedisBroker) -> None:
    queue = DramatiqJobQueue(broker)
    queue.send_poll(15, 3600, 1)
    queue.send_poll(15, 3600, 2)
    queue.send_poll(16, 3600, 1)
    assert queue.discard_polls({(15, 1), (16, 1), (17, 1)}) == 2
    assert queue.poll_messages() == [(15, 2)]
    consumer = broker.consume(dq_name(QUEUE), prefetch=10, timeout=10)
    try:
        [only] = fetch(consumer, 1)
        assert only.args == (15, 2)
        assert [next(consumer) for _ in range(3)] == [None] * 3
    finally:
        consumer.close()
