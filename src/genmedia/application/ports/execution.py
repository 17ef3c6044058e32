"""Ports of execution: claims of jobs, the outbox of pending jobs, worker heartbeats and the
job queue."""

from __future__ import annotations

import abc
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

import attrs

from genmedia.domain.job import Job
from genmedia.domain.scheduling import ProviderLimits


@attrs.frozen
class PendingJob:
    """A committed pending job waiting to be handed to the broker."""

    job_id: int
    user_id: int
    priority: int
    due_at: datetime | None = None
    provider: str = ""


class JobClaims(abc.ABC):
    """Workers' claims of jobs, each a transaction of its own."""

    @abc.abstractmethod
    def claim(
        self, job_ids: Collection[int], worker_id: str, now: datetime, timeout: timedelta
    ) -> list[Job]:
        """`Job.claim` those of these jobs still pending, as one guarded write that locks
        them in id order, and start their requests that are still pending (the status
        `request_progress` gives them); the jobs claimed, in id order. Duplicate and unknown
        ids are ignored. Committed on its own: call it outside a unit of work's block."""

    @abc.abstractmethod
    def begin(
        self, runs: Collection[tuple[int, int]], worker_id: str, now: datetime
    ) -> dict[int, bool]:
        """For the given (job id, lease) runs that `Job.awaits_call` for `worker_id`, as one
        guarded write that locks them in id order: `Job.begin` those whose cancellation
        was not requested. Per job that begins, whether its cancellation was requested
        (then it was not begun); others moved on. Committed on its own."""


class JobOutbox(abc.ABC):
    """The jobs table read as an outbox of work to dispatch."""

    @abc.abstractmethod
    def claim_for_dispatch(
        self,
        now: datetime,
        limit: int,
        user_cap: int,
        max_in_flight: int,
        limits: ProviderLimits | None = None,
    ) -> list[PendingJob]:
        """Pick and mark dispatched the jobs to send now (see domain.scheduling).

        Due (run_after passed), undispatched pending jobs in priority order, no user above
        `user_cap` jobs in flight, no provider above its `limits`, and no more than
        `max_in_flight` jobs in flight in all. Jobs waiting on their provider's task
        (`PollChain.waits_on_task`) count against their provider's limit only. Rows another
        dispatcher is picking are skipped, not waited for.
        """

    @abc.abstractmethod
    def unmark(self, job_ids: Sequence[int]) -> int:
        """Make jobs whose message could not be sent dispatchable again."""

    @abc.abstractmethod
    def redispatch_stale(self, dispatched_before: datetime) -> int:
        """Make pending jobs dispatched before then dispatchable again (their message was lost)."""

    @abc.abstractmethod
    def orphaned(self, heartbeat_before: datetime, limit: int, *, after: int = 0) -> list[int]:
        """The ids above `after`, in order, of up to `limit` running jobs that
        `Job.is_orphaned` with the live workers (those not stopped that sent a heartbeat
        since `heartbeat_before`), as far as the database knows: no poll queued."""


class WorkerRegistry(abc.ABC):
    """Worker processes and their heartbeats."""

    @abc.abstractmethod
    def beat(self, worker_id: str, hostname: str, pid: int) -> None:
        """Record that the worker is alive now (database time)."""

    @abc.abstractmethod
    def stopped(self, worker_id: str) -> None:
        """Record that the worker shut down cleanly."""

    @abc.abstractmethod
    def live(self, heartbeat_before: datetime) -> set[str]:
        """The workers not stopped that sent a heartbeat since `heartbeat_before`."""


class JobQueue(abc.ABC):
    """The transport that hands job ids to workers."""

    @abc.abstractmethod
    def send_runs(self, job_ids: Sequence[int]) -> None:
        """Ask workers to run these jobs, sending the messages together where the transport
        can; if it raises, any of them may or may not have been sent."""

    @abc.abstractmethod
    def send_poll(self, job_id: int, delay: float, token: int) -> None:
        """Ask a worker to poll the job's provider task after `delay` seconds, if the job
        still waits for a poll with this token then."""

    @abc.abstractmethod
    def poll_messages(self) -> list[tuple[int, int | None]]:
        """The (job id, token) of every poll message the transport holds: queued, delayed,
        or fetched by a consumer and not yet acknowledged (token None: a message without)."""

    def discard_polls(self, polls: Collection[tuple[int, int | None]]) -> int:
        """Remove the poll messages with these (job id, token) that the transport holds and
        can still take back; how many. A transport that cannot keeps them (each is dropped
        when a worker takes it)."""
        return 0

    def recover(self, dead_after: float) -> None:  # noqa: B027
        """Give back to their queues the messages fetched by consumers that have been
        silent for `dead_after` seconds (their process died). A transport whose consumers
        cannot die apart from its process has nothing to recover."""
