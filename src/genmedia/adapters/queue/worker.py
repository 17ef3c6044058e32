"""Declaring the job actors on a broker and running Dramatiq worker threads in-process."""

from __future__ import annotations

from collections.abc import Callable

import dramatiq
from dramatiq.broker import Broker

from genmedia.adapters.queue.broker import POLL_ACTOR, QUEUE, RUN_ACTOR

# Our own job rows carry attempts and deadlines; Dramatiq must not retry on its own.
ACTOR_OPTIONS = {"max_retries": 0, "time_limit": 15 * 60 * 1000}


def declare_actors(broker: Broker, run: Callable[[int], None], poll: Callable[[int], None]) -> None:
    """Bind the run and poll handlers to their actors on this broker (not the global one)."""
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
