"""Rescuing the jobs of workers that died (ARCHITECTURE §4).

A running job whose worker stopped sending heartbeats is given back: a job waiting on an
asynchronous provider task is polled again (never resubmitted: the provider already has
it); a job whose cancellation was requested is cancelled; any other goes back to pending
for another attempt, or fails with `worker_lost` once its attempts are spent. Failing and
cancelling release the job's hold in the same transaction.
"""

from __future__ import annotations

import enum
import socket
from collections.abc import Callable
from datetime import timedelta

from genmedia.application.ports import Clock, JobQueue, UnitOfWork
from genmedia.application.retry import retry_stale
from genmedia.application.wallet import billing
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
            now = clock.now()
            release = True
            if job.cancel_requested:
                job.cancel(now)
                outcome = Rescue.CANCELLED
            elif job.provider_task_id:
                job.hand_over()
                outcome, release = Rescue.REPOLLED, False
            elif job.attempts_left > 0:
                job.requeue("worker_lost", "the worker running this job stopped")
                outcome, release = Rescue.REQUEUED, False
            else:
                job.fail("worker_lost", "the worker stopped and no attempt is left", now)
                outcome = Rescue.FAILED
            uow.jobs.save(job)
            uow.requests.follow_jobs(job.request_id or 0)
            if release:
                billing.release_for_job(uow, job)
            uow.commit()
        return outcome

    return retry_stale(attempt)


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
