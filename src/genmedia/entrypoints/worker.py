"""Worker processes: job actors on worker threads, heartbeats, and the dispatcher role.

The dispatcher role (handing due jobs to the broker) and the maintenance tasks (rescuing
jobs nobody carries on, dropping stale poll messages, resending lost messages, expiring
holds, lots, gift cards, sessions and idempotency keys; retention; recomputing trend scores)
run in every worker process unless GENMEDIA_DISPATCHER_IN_WORKER is off, or on their own in
`genmedia dispatcher`. Running several dispatchers at once is safe: picking a job marks it
in the same transaction, and every maintenance step is a guarded write.
"""

from __future__ import annotations

import gc
import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

import dramatiq

from genmedia.adapters.queue.worker import InProcessWorker, declare_actors
from genmedia.entrypoints.container import Container
from genmedia.entrypoints.runtime.jobs import WorkerJobs
from genmedia.entrypoints.runtime.periodic import Periodic

log = logging.getLogger(__name__)


def dispatch_round(container: Container) -> Callable[[], bool]:
    """A dispatch round; true when it sent a full batch, as more jobs may be due right away.

    A round cut short by the in-flight limits waits for the next interval: going again at
    once would send a job or two per round as slots free up, at the cost of a whole round.
    """
    batch = container.config.dispatch_batch()

    def round_() -> bool:
        return bool(container.dispatch_pending() >= batch)

    return round_


def maintenance(container: Container) -> Callable[[], bool]:
    """One round of upkeep: rescue orphans, drop stale polls, resend lost messages, expire
    holds, lots, cards, sessions and idempotency keys."""

    def round_() -> bool:
        rescued = container.rescue_orphans()
        dropped = container.drop_stale_polls()
        resent = container.redispatch_lost()
        container.expire_holds()
        container.expire_lots()
        container.expire_gift_cards(container.clock().now())
        container.expire_sessions()
        container.expire_idempotency_keys()
        moved = {str(outcome): n for outcome, n in rescued.items() if n and outcome != "skipped"}
        if moved or resent or dropped:
            log.info("maintenance: rescued %s, dropped %s polls, resent %s", moved, dropped, resent)
        return False

    return round_


def retention(container: Container) -> Callable[[], bool]:
    """One retention run; it works through its batches itself, so the loop then rests."""

    def round_() -> bool:
        report = container.apply_retention()
        if report.jobs_deleted or report.objects_removed:
            log.info("retention: %s", report)
        return False

    return round_


def trends(container: Container) -> Callable[[], bool]:
    """One recomputation of the templates' trend scores."""

    def round_() -> bool:
        changed = container.refresh_trends()
        if changed:
            log.debug("trends: %s scores changed", changed)
        return False

    return round_


def upkeep_roles(container: Container) -> list[Periodic]:
    """The dispatcher's companions: maintenance, retention and trend scores."""
    config = container.config
    return [
        Periodic("maintenance", config.maintenance_interval(), maintenance(container)),
        Periodic("retention", config.retention_interval(), retention(container)),
        Periodic("trends", config.trend_interval(), trends(container)),
    ]


class WorkerRuntime:
    """Job actors on the configured broker, worker threads, heartbeats and the dispatcher."""

    def __init__(self, container: Container, *, dispatcher: bool | None = None) -> None:
        self.container = container
        config = container.config
        broker = container.broker()
        # Anything that resolves the global broker must find ours, never a default one.
        dramatiq.set_broker(broker)
        self.heartbeat = Periodic("heartbeat", config.heartbeat_interval(), container.heartbeat)
        in_worker = config.dispatcher_in_worker() if dispatcher is None else dispatcher
        interval = config.dispatch_interval()
        self.dispatcher = Periodic("dispatcher", interval, dispatch_round(container))
        self.roles = [self.dispatcher, *upkeep_roles(container)] if in_worker else []
        # Completed jobs free room in flight: dispatch then rather than at the next poll.
        kick = self.dispatcher.kick if in_worker else None
        self.jobs = jobs = WorkerJobs.around(container.job_runner(), on_finished=kick)
        declare_actors(broker, run=jobs.runner.run, poll=jobs.runner.poll, claim=jobs.ahead.fetched)
        self.worker = InProcessWorker(broker, threads=config.worker_threads())
        self.metrics_server: Any = None

    def start(self) -> None:
        """Register this worker, start its threads, then the dispatcher role."""
        # What exists now (modules, the container, the statement caches) lives as long as
        # the process: keep it out of the collector's full passes, which otherwise walk
        # every one of those objects while all threads wait.
        gc.freeze()
        port = self.container.config.metrics_port()
        if port:
            metrics = self.container.metrics()
            self.metrics_server = metrics.serve(port, self.container.config.metrics_host())
        self.container.heartbeat()
        self.heartbeat.start()
        self.jobs.completer.start()
        self.jobs.ahead.start()
        self.worker.start()
        for role in self.roles:
            role.start()

    def kick(self) -> None:
        """Dispatch now (after submitting work in this process)."""
        self.dispatcher.kick()

    def stop(self) -> None:
        """Stop dispatching, let running messages finish, write their completions, then stop
        and deregister."""
        self.jobs.ahead.stop()
        for role in self.roles:
            role.stop()
        self.worker.stop()
        self.jobs.ahead.release()
        self.jobs.completer.stop()
        self.heartbeat.stop()
        self.container.worker_stopped()
        if self.metrics_server is not None:
            self.metrics_server.shutdown()
            self.metrics_server.server_close()

    def run_forever(self) -> None:
        """Run until SIGINT or SIGTERM, then shut down gracefully."""
        done = wait_for_signal()
        self.start()
        done.wait()
        self.stop()


def wait_for_signal() -> threading.Event:
    """An event set by SIGINT or SIGTERM."""
    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("signal %s received; shutting down", signum)
        done.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    return done


def run_dispatcher(container: Container) -> None:
    """The dispatcher role alone (with maintenance, retention and metrics), until SIGTERM."""
    config = container.config
    done = wait_for_signal()
    server = (
        container.metrics().serve(config.metrics_port(), config.metrics_host())
        if config.metrics_port()
        else None
    )
    roles = [
        Periodic("dispatcher", config.dispatch_interval(), dispatch_round(container)),
        *upkeep_roles(container),
    ]
    for role in roles:
        role.start()
    done.wait()
    for role in roles:
        role.stop()
    if server is not None:
        server.shutdown()
        server.server_close()
