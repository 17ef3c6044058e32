"""Rescuing the jobs of workers that died (ARCHITECTURE §4).

A running job whose worker stopped sending heartbeats is given back: a job waiting on an
asynchronous provider task is polled again (never resubmitted: the provider already has
it); a job whose cancellation was requested is cancelled; any other goes back to pending
for another attempt, or fails with `worker_lost` once its attempts or its time are spent
(`Job.after_failure` decides). Failing and cancelling release the job's hold in the same
transaction.
"""

from __future__ import annotations

import enum
import socket
from collections.abc import Callable
from datetime import datetime, timedelta

from genmedia.application.ports import Clock, JobQueue, UnitOfWork
from genmedia.application.retry import retry_stale
from genmedia.application.wallet import billing
from genmedia.domain.job import Job
from genmedia.domain.scheduling import Fail
from genmedia.domain.status import Status

RESCUE_BATCH = 100


class Rescue(enum.StrEnum):
    """What happened to an orphaned job."""

    REPOLLED = "repolled"
    CANCELLED = "cancelled"
    REQUEUED = "requeued"
    FAILED = "failed"
    SKIPPED = "skipped"


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


def rescue_job(job_id: int, *, uow: UnitOfWork, clock: Clock) -> Rescue:
    """Give one orphaned running job back, as the module docstring says."""

    def attempt() -> Rescue:
        with uow:
            job = uow.jobs.get(job_id)
            if job.status is not Status.PROCESSING:
                return Rescue.SKIPPED
            outcome = _rescue(job, clock.now())
            uow.jobs.save(job)
            uow.requests.follow_jobs(job.request_id or 0)
            if outcome in (Rescue.CANCELLED, Rescue.FAILED):
                billing.release_for_job(uow, job)
            uow.commit()
        return outcome

    return retry_stale(attempt)


def _rescue(job: Job, now: datetime) -> Rescue:
    """Move an orphaned running job on; what happened to it."""
    if job.cancel_requested:
        job.cancel(now)
        return Rescue.CANCELLED
    if job.provider_task_id:
        job.hand_over()
        return Rescue.REPOLLED
    decision = job.after_failure(now)
    if isinstance(decision, Fail):
        job.fail("worker_lost", f"the worker stopped and {decision.reason}", now)
        return Rescue.FAILED
    job.requeue("worker_lost", "the worker running this job stopped", decision.run_after)
    return Rescue.REQUEUED


def rescue_orphans(
    *, uow: Callable[[], UnitOfWork], queue: JobQueue, clock: Clock, heartbeat_timeout: float
) -> dict[Rescue, int]:
    """Rescue every running job whose worker is gone; counts per outcome."""
    with uow() as work:
        orphans = work.outbox.orphaned(
            clock.now() - timedelta(seconds=heartbeat_timeout), RESCUE_BATCH
        )
    counts = dict.fromkeys(Rescue, 0)
    for job_id in orphans:
        outcome = rescue_job(job_id, uow=uow(), clock=clock)
        if outcome is Rescue.REPOLLED:
            queue.send_poll(job_id, 0.0)
        counts[outcome] += 1
    return counts
