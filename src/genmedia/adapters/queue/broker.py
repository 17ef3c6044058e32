"""Building the Dramatiq broker and sending job messages through it."""

from __future__ import annotations

from dramatiq import Message
from dramatiq.broker import Broker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

from genmedia.application.ports import JobQueue

QUEUE = "genmedia-jobs"
RUN_ACTOR = "genmedia_run_job"
POLL_ACTOR = "genmedia_poll_job"


def make_broker(redis_url: str | None, namespace: str = "genmedia") -> Broker:
    """A RedisBroker at `redis_url`, or an in-process broker when there is none."""
    if not redis_url:
        broker: Broker = StubBroker()
    else:
        broker = RedisBroker(url=redis_url, namespace=namespace)  # type: ignore[no-untyped-call]
    broker.declare_queue(QUEUE)
    return broker


class DramatiqJobQueue(JobQueue):
    """Sends run and poll messages for job ids; the jobs table stays the source of truth."""

    def __init__(self, broker: Broker, queue_name: str = QUEUE) -> None:
        self.broker = broker
        self.queue_name = queue_name

    def _send(self, actor: str, job_id: int, delay_ms: int | None) -> None:
        message: Message[None] = Message(
            queue_name=self.queue_name, actor_name=actor, args=(job_id,), kwargs={}, options={}
        )
        self.broker.enqueue(message, delay=delay_ms)

    def send_run(self, job_id: int) -> None:
        """Ask a worker to run the job now."""
        self._send(RUN_ACTOR, job_id, None)

    def send_poll(self, job_id: int, delay: float) -> None:
        """Ask a worker to poll the job's task after `delay` seconds, without holding a thread."""
        self._send(POLL_ACTOR, job_id, max(int(delay * 1000), 1))
