"""Job messages on Dramatiq's Redis broker: sent together, consumed by a plain worker."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator

import dramatiq
import pytest
import redis
from dramatiq.brokers.stub import StubBroker

from genmedia.adapters.queue.broker import (
    QUEUE,
    RUN_ACTOR,
    DramatiqJobQueue,
    PipelinedRedisBroker,
    make_broker,
)

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


def consume(broker: dramatiq.Broker, expected: int) -> list[int]:
    """Run a plain Dramatiq worker until `expected` run messages were processed."""
    seen: list[int] = []
    done = threading.Event()

    def run(job_id: int) -> None:
        seen.append(job_id)
        if len(seen) >= expected:
            done.set()

    dramatiq.Actor(run, broker=broker, actor_name=RUN_ACTOR, queue_name=QUEUE, priority=0,
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
