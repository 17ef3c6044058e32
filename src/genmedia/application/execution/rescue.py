"""Rescuing the jobs that nobody carries on any more (ARCHITECTURE §4).

A running job is orphaned when its worker stopped sending heartbeats, or when it waits for
a poll that came due long ago and that the queue no longer holds (`Job.is_orphaned`).
First the queue gives back the messages that stopped consumers had fetched, so a live
poll message is found again rather than replaced. Then each orphan is moved on once:

- a job whose cancellation was requested is cancelled;
- a job waiting on its provider's task is never resubmitted: if the queue still holds its
  poll message, that message carries it on and its dead worker is only let go of;
  otherwise it waits for a new poll, sent once (a new lease, so an older message is stale);
- any other job goes back to pending, or fails with `worker_lost` once its attempts or
  its time are spent. Its attempt counts only if its provider call had begun.

`Job.after_failure` decides, as it does for the runner. Failing and cancelling release the
job's hold in the same transaction. A job handed over is not orphaned at the next round
(its poll is queued, or due in the future), so each is handed over once.
"""

from __future__ import annotations

import enum
import logging
import socket
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import attrs

from genmedia.application.execution import settled
from genmedia.application.ports import Clock, JobQueue, UnitOfWork
from genmedia.application.retry import retry_stale
from genmedia.domain.job import Job
from genmedia.domain.scheduling import Fail, PollAgain, Setback
from genmedia.domain.status import Status

RESCUE_BATCH = 100

log = logging.getLogger(__name__)


class Rescue(enum.StrEnum):
    """What happened to an orphaned job."""

    REPOLLED = "repolled"  # a new poll was sent for its task
    HANDED_OVER = "handed_over"  # its queued poll message carries it on
    CANCELLED = "cancelled"
    REQUEUED = "requeued"
    FAILED = "failed"
    SKIPPED = "skipped"


@attrs.frozen(kw_only=True)
class Sighting:
    """What the rescuer saw before it looked at the jobs: the live workers, the heartbeat
    cut-off and the (job id, token) of the poll messages the queue holds."""

    live_workers: frozenset[str]
    heartbeat_before: datetime
    queued_polls: frozenset[tuple[int, int]]

    def poll_queued(self, job: Job) -> bool:
        """Whether the queue holds a poll message that carries the job on."""
        return (job.id or 0, job.lease) in self.queued_polls

    def orphaned(self, job: Job) -> bool:
        """Whether nobody carries the job on (`Job.is_orphaned`)."""
        queued = self.poll_queued(job)
        return job.is_orphaned(self.live_workers, self.heartbeat_before, poll_queued=queued)


def beat(worker_id: str, pid: int, *, uow: UnitOfWork) -> None:
    """Record the worker's heartbeat."""
    with uow:
        uow.workers.beat(worker_id, socket.gethostname(), pid)
        uow.commit()


def stopped(worker_id: str, *, uow: UnitOfWork) -> None:
    """Record a clean shutdown, so the worker's jobs need not wait for its heartbeat to age."""
    with uow:
        uow.workers.stopped(worker_id)
        uow.commit()


def rescue_job(
    job_id: int, *, uow: UnitOfWork, clock: Clock, seen: Sighting
) -> tuple[Rescue, int | None]:
    """Move one orphaned job on, as the module docstring says; what happened, and the
    token of the poll message to send for it (None: none)."""

    def attempt() -> tuple[Rescue, int | None]:
        with uow:
            job = uow.jobs.get(job_id)
            if not seen.orphaned(job):
                return Rescue.SKIPPED, None
            outcome = _rescue(job, clock.now(), seen.poll_queued(job))
            uow.jobs.save(job)
            uow.requests.follow_jobs(job.request_id or 0)
            if job.status in (Status.CANCELLED, Status.FAILED):
                settled.job_ended(uow, job)
            uow.commit()
        return outcome, job.lease if outcome is Rescue.REPOLLED else None

    return retry_stale(attempt)


def _rescue(job: Job, now: datetime, poll_queued: bool) -> Rescue:
    """Move an orphaned running job on; what happened to it."""
    if job.cancel_requested:
        job.cancel(now)
        return Rescue.CANCELLED
    decision = job.after_failure(now, setback=Setback.WORKER_LOST)
    if isinstance(decision, Fail):
        job.fail("worker_lost", f"the worker stopped and {decision.reason}", now, decision)
        return Rescue.FAILED
    if isinstance(decision, PollAgain) and poll_queued:
        job.hand_over()
        return Rescue.HANDED_OVER
    if isinstance(decision, PollAgain):
        job.await_poll(decision.at)
        return Rescue.REPOLLED
    job.requeue("worker_lost", "the worker running this job stopped", decision)
    return Rescue.REQUEUED


def rescue_orphans(
    *, uow: Callable[[], UnitOfWork], queue: JobQueue, clock: Clock, heartbeat_timeout: float
) -> dict[Rescue, int]:
    """Rescue every running job that nobody carries on; counts per outcome."""
    queue.recover(heartbeat_timeout)
    before = clock.now() - timedelta(seconds=heartbeat_timeout)
    counts = dict.fromkeys(Rescue, 0)
    seen: Sighting | None = None
    for page in _pages(uow, before):
        seen = seen or _sighting(uow(), queue, before)
        orphans = _orphans(uow(), page, seen)
        counts[Rescue.SKIPPED] += len(page) - len(orphans)
        for job_id in orphans:
            counts[_rescue_one(job_id, uow(), queue, clock, seen)] += 1
    return counts


def _pages(uow: Callable[[], UnitOfWork], before: datetime) -> Iterator[list[int]]:
    """The ids of the running jobs the database alone finds orphaned, page by page."""
    after = 0
    while True:
        with uow() as work:
            page = work.outbox.orphaned(before, RESCUE_BATCH, after=after)
        if page:
            yield page
        if len(page) < RESCUE_BATCH:
            return
        after = page[-1]


def _orphans(uow: UnitOfWork, page: list[int], seen: Sighting) -> list[int]:
    """Those of the page's jobs that are orphaned, knowing the queue: read in one query
    (a job waiting for a queued poll is left alone however long no worker takes it)."""
    with uow:
        return [job.id or 0 for job in uow.jobs.find(page) if seen.orphaned(job)]


def _rescue_one(
    job_id: int, uow: UnitOfWork, queue: JobQueue, clock: Clock, seen: Sighting
) -> Rescue:
    """Rescue one job, then send the poll it needs (outside the transaction)."""
    outcome, token = rescue_job(job_id, uow=uow, clock=clock, seen=seen)
    if token is not None:
        queue.send_poll(job_id, 0.0, token)
    if outcome is not Rescue.SKIPPED:
        log.info("job %s: rescued, %s", job_id, outcome)
    return outcome


def _sighting(uow: UnitOfWork, queue: JobQueue, before: datetime) -> Sighting:
    """The live workers, then the poll messages queued: read before any job is loaded."""
    with uow:
        live = uow.workers.live(before)
    queued = frozenset((job_id, token) for job_id, token in queue.poll_messages() if token)
    return Sighting(live_workers=frozenset(live), heartbeat_before=before, queued_polls=queued)
