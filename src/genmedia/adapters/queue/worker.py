"""Declaring the job actors on a broker and running Dramatiq worker threads in-process."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import dramatiq
from dramatiq import Message
from dramatiq.broker import Broker

from genmedia.adapters.queue.broker import POLL_ACTOR, QUEUE, RUN_ACTOR, PipelinedRedisBroker

# Our own job rows carry attempts and deadlines; Dramatiq must not retry on its own.
ACTOR_OPTIONS = {"max_retries": 0, "time_limit": 15 * 60 * 1000}


def declare_actors(
    broker: Broker,
    run: Callable[[int], None],
    poll: Callable[[int, int], None],
    claim: Callable[[list[int]], None] | None = None,
) -> None:
    """Bind the run and poll handlers to their actors on this broker (not the global one).

    With `claim` and a broker that fetches in batches, `claim` gets the job ids of the run
    messages of each batch fetched, from the consumer thread, before any thread runs them."""
    if claim is not None and isinstance(broker, PipelinedRedisBroker):
        broker.on_fetch = _run_messages_to(claim)
    for name, fn in ((RUN_ACTOR, run), (POLL_ACTOR, poll)):
        if name not in broker.get_declared_actors():
            dramatiq.Actor(
                fn,
                broker=broker,
                actor_name=name,
                queue_name=QUEUE,
                priority=0,
                options=ACTOR_OPTIONS,
            )


def _run_messages_to(
    claim: Callable[[list[int]], None],
) -> Callable[[Sequence[Message[Any]]], None]:
    def on_fetch(messages: Sequence[Message[Any]]) -> None:
        job_ids = [job_id for job_id in map(_job_to_run, messages) if job_id is not None]
        if job_ids:
            claim(job_ids)

    return on_fetch


def _job_to_run(message: Message[Any]) -> int | None:
    """The job id of a run message due now; None for any other message."""
    if message.actor_name != RUN_ACTOR or "eta" in message.options:
        return None
    args = message.args
    return args[0] if len(args) == 1 and type(args[0]) is int else None


class InProcessWorker:
    """Dramatiq worker threads inside this process, started and stopped explicitly."""

    def __init__(self, broker: Broker, threads: int, poll_ms: int = 10) -> None:
        self.worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=poll_ms)

    def start(self) -> None:
        """Start consuming messages."""
        self.worker.start()

    def stop(self) -> None:
        """Finish running messages and stop."""
        self.worker.stop()
