"""The job lifecycle steps, each its own short transaction (SPEC EXE-1, EXE-2).

Network and storage I/O happen between these steps, never inside them. Completion, which
also writes media and charges, is in `completion`; the steps of a job waiting on its
provider's task are in `polls`. A worker's step applies only while the job still runs
under the lease the worker holds (`Job.runs`), and for that worker where it names one.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta

from genmedia.application.execution import settled
from genmedia.application.ports import Clock, UnitOfWork
from genmedia.application.retry import retry_stale
from genmedia.domain.job import Job
from genmedia.domain.moderation import ModerationStage
from genmedia.domain.scheduling import Fail, Retry
from genmedia.domain.status import Status

DEFAULT_JOB_TIMEOUT = timedelta(minutes=30)


def claim_jobs(
    job_ids: Sequence[int],
    worker_id: str,
    *,
    uow: UnitOfWork,
    clock: Clock,
    job_timeout: timedelta = DEFAULT_JOB_TIMEOUT,
) -> dict[int, Job]:
    """Claim those of these jobs that are pending for a worker, in one transaction; the jobs
    claimed, by id. Others were claimed, cancelled or finished already.

    The claim is one write guarded by the pending status, which also starts the jobs'
    requests (on PostgreSQL a single statement that locks the jobs, then their requests, in
    id order), so of two deliveries of one message only one claims the job. The first claim
    fixes the job's deadline: `job_timeout` after the job was created. A claim spends no
    attempt: `begin_runs` does, as the worker calls the provider.
    """

    def attempt() -> dict[int, Job]:
        jobs = uow.claims.claim(job_ids, worker_id, clock.now(), job_timeout)
        return {job.id or 0: job for job in jobs}

    return retry_stale(attempt)


def claim_job(
    job_id: int,
    worker_id: str,
    *,
    uow: UnitOfWork,
    clock: Clock,
    job_timeout: timedelta = DEFAULT_JOB_TIMEOUT,
) -> Job | None:
    """`claim_jobs` for one job: the job if it was claimed now, else None."""
    claimed = claim_jobs([job_id], worker_id, uow=uow, clock=clock, job_timeout=job_timeout)
    return claimed.get(job_id)


def begin_runs(
    runs: Collection[tuple[int, int]], worker_id: str, *, uow: UnitOfWork, now: datetime
) -> dict[int, bool]:
    """Record, in one write, that the worker calls the provider now for these (job id,
    lease) runs of its own: each attempt counts from here (`Job.begin`). Per job still the
    worker's, whether its cancellation was requested (then it is not begun)."""
    return retry_stale(lambda: uow.claims.begin(runs, worker_id, now))


def release_claim(
    job_id: int, lease: int, worker_id: str, *, uow: UnitOfWork, clock: Clock
) -> bool:
    """Undo this worker's claim of a job that it never ran (see `Job.release`), or cancel
    the job, releasing its hold, if its cancellation was requested meanwhile; False if the
    job moved on."""

    def change(job: Job) -> None:
        if job.cancel_requested:
            job.cancel(clock.now())
        else:
            job.release()

    def settle(job: Job) -> None:
        if job.status is Status.CANCELLED:
            settled.job_ended(uow, job)

    applies = _running(lease, worker_id)
    return step(job_id, uow=uow, applies=applies, change=change, settle=settle) is not None


def load_job(job_id: int, *, uow: UnitOfWork) -> Job:
    """The job as it is now."""
    with uow:
        return uow.jobs.get(job_id)


def step(
    job_id: int,
    *,
    uow: UnitOfWork,
    applies: Callable[[Job], bool],
    change: Callable[[Job], object],
    settle: Callable[[Job], None] | None = None,
    follow: bool = True,
) -> Job | None:
    """Load the job, apply `change` if `applies`, save it, make its request follow (unless
    not `follow`: the change leaves its status alone), then `settle` its credits and
    commit; retried on a lost race. The job as changed; None, with nothing written, when
    it no longer is where the step expects.

    Rows are locked in one order everywhere: the job, its request, then hold and wallet.
    """

    def attempt() -> Job | None:
        with uow:
            job = uow.jobs.get(job_id)
            if not applies(job):
                return None
            change(job)
            uow.jobs.save(job)
            if follow:
                uow.requests.follow_jobs(job.request_id or 0)
            if settle is not None:
                settle(job)
            uow.commit()
        return job

    return retry_stale(attempt)


def _running(lease: int, worker_id: str | None = None) -> Callable[[Job], bool]:
    return lambda job: job.runs(lease, worker_id)


def _release(uow: UnitOfWork) -> Callable[[Job], None]:
    def settle(job: Job) -> None:
        settled.job_ended(uow, job)

    return settle


def fail_job(
    job: Job,
    code: str,
    message: str,
    *,
    uow: UnitOfWork,
    clock: Clock,
    decided: Fail | None = None,
    moderation: ModerationStage | None = None,
) -> bool:
    """Fail a job that still runs under its worker's lease (`job` is the worker's copy), with
    a code and a message (and the stage moderation blocked), releasing its hold; False if
    it moved on (finished, requeued by a retry or a rescue, or taken by another worker)."""

    def change(current: Job) -> None:
        current.fail(code, message, clock.now(), decided, moderation=moderation)

    applies = _running(job.lease, job.worker_id)
    found = step(job.id or 0, uow=uow, applies=applies, change=change, settle=_release(uow))
    return found is not None


def requeue_job(job: Job, code: str, message: str, retry: Retry, *, uow: UnitOfWork) -> bool:
    """Send a job that still runs under its worker's lease back to pending for another
    attempt, as `retry` decided."""

    def change(current: Job) -> None:
        current.requeue(code, message, retry)

    applies = _running(job.lease, job.worker_id)
    return step(job.id or 0, uow=uow, applies=applies, change=change) is not None


def fall_back_job(job: Job, code: str, message: str, *, uow: UnitOfWork) -> bool:
    """Send a job that still runs under its worker's lease to its fallback model, its
    primary provider having failed it with `code` (`Job.fall_back`); False if it moved on."""

    def change(current: Job) -> None:
        current.fall_back(code, message)

    applies = _running(job.lease, job.worker_id)
    return step(job.id or 0, uow=uow, applies=applies, change=change) is not None


def cancel_running_job(job_id: int, *, uow: UnitOfWork, clock: Clock) -> bool:
    """Stop a running job whose cancellation was requested, releasing its hold."""

    def applies(job: Job) -> bool:
        return job.status is Status.PROCESSING and job.cancel_requested

    def change(job: Job) -> None:
        job.cancel(clock.now())

    found = step(job_id, uow=uow, applies=applies, change=change, settle=_release(uow))
    return found is not None
