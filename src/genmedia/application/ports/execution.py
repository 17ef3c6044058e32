"""Ports of execution: the outbox of pending jobs, worker heartbeats and the job queue."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from datetime import datetime

import attrs


@attrs.frozen
class PendingJob:
    """A committed pending job waiting to be handed to the broker."""

    job_id: int
    user_id: int
    priority: int
    due_at: datetime | None = None


class JobOutbox(abc.ABC):
    """The jobs table read as an outbox of work to dispatch."""

    @abc.abstractmethod
    def pending(self, limit: int) -> list[PendingJob]:
        """Pending jobs not yet dispatched, highest priority first, then oldest."""

    @abc.abstractmethod
    def mark_dispatched(self, job_ids: Sequence[int], now: datetime) -> int:
        """Mark jobs dispatched if they still are pending and undispatched; return how many."""

    @abc.abstractmethod
    def claim_for_dispatch(
        self, now: datetime, limit: int, user_cap: int, max_in_flight: int
    ) -> list[PendingJob]:
        """Pick and mark dispatched the jobs to send now (see domain.scheduling).

        Due (run_after passed), undispatched pending jobs in priority order, no user above
        `user_cap` jobs in flight, and no more than `max_in_flight` jobs in flight in all.
        Rows another dispatcher is picking are skipped, not waited for.
        """

    @abc.abstractmethod
    def unmark(self, job_ids: Sequence[int]) -> int:
        """Make jobs whose message could not be sent dispatchable again."""

    @abc.abstractmethod
    def redispatch_stale(self, dispatched_before: datetime) -> int:
        """Make pending jobs dispatched before then dispatchable again (their message was lost)."""

    @abc.abstractmethod
    def orphaned(self, heartbeat_before: datetime, limit: int) -> list[int]:
        """Running jobs whose worker stopped, or sent no heartbeat since `heartbeat_before`."""

    @abc.abstractmethod
    def count_unfinished(self, request_ids: Sequence[int]) -> int:
        """How many jobs of these requests are still pending or processing."""


class WorkerRegistry(abc.ABC):
    """Worker processes and their heartbeats."""

    @abc.abstractmethod
    def beat(self, worker_id: str, hostname: str, pid: int) -> None:
        """Record that the worker is alive now (database time)."""

    @abc.abstractmethod
    def stopped(self, worker_id: str) -> None:
        """Record that the worker shut down cleanly."""


class JobQueue(abc.ABC):
    """The transport that hands job ids to workers."""

    @abc.abstractmethod
    def send_runs(self, job_ids: Sequence[int]) -> None:
        """Ask workers to run these jobs, sending the messages together where the transport
        can; if it raises, any of them may or may not have been sent."""

    @abc.abstractmethod
    def send_poll(self, job_id: int, delay: float) -> None:
        """Ask a worker to poll the job's provider task after `delay` seconds."""
