"""The job lifecycle steps, each its own short transaction (SPEC EXE-1, EXE-2).

Network and storage I/O happen between these steps, never inside them. Completion, which
also writes media and charges, is in `completion`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from genmedia.application.ports import Clock, UnitOfWork, Waiting
from genmedia.application.retry import retry_stale
from genmedia.application.wallet import billing
from genmedia.domain.job import Job
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
    fixes the job's deadline: `job_timeout` after the job was created.
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


def release_claim(
    job_id: int, attempt_no: int, worker_id: str, *, uow: UnitOfWork, clock: Clock
) -> bool:
    """Undo this worker's claim of a job that it never ran (see `Job.release`), or cancel
    the job, releasing its hold, if its cancellation was requested meanwhile; False if the
    job moved on."""

    def applies(job: Job) -> bool:
        return job.runs(attempt_no, worker_id)

    def change(job: Job) -> None:
        if job.cancel_requested:
            job.cancel(clock.now())
        else:
            job.release()

    def settle(job: Job) -> None:
        if job.status is Status.CANCELLED:
            billing.release_for_job(uow, job)

    return _step(job_id, uow=uow, applies=applies, change=change, settle=settle)


def load_job(job_id: int, *, uow: UnitOfWork) -> Job:
    """The job as it is now."""
    with uow:
        return uow.jobs.get(job_id)


def _step(
    job_id: int,
    *,
    uow: UnitOfWork,
    applies: Callable[[Job], bool],
    change: Callable[[Job], None],
    settle: Callable[[Job], None] | None = None,
) -> bool:
    """Load the job, apply `change` if `applies`, save it and make its request follow, then
    `settle` its credits and commit; retried on a lost race. False, with nothing written,
    when the job no longer is where the step expects.

    Rows are locked in one order everywhere: the job, its request, then hold and wallet.
    """

    def attempt() -> bool:
        with uow:
            job = uow.jobs.get(job_id)
            if not applies(job):
                return False
            change(job)
            uow.jobs.save(job)
            uow.requests.follow_jobs(job.request_id or 0)
            if settle is not None:
                settle(job)
            uow.commit()
        return True

    return retry_stale(attempt)


def _running(attempt_no: int) -> Callable[[Job], bool]:
    return lambda job: job.runs(attempt_no)


def _release(uow: UnitOfWork) -> Callable[[Job], None]:
    def settle(job: Job) -> None:
        billing.release_for_job(uow, job)

    return settle


def record_provider_task(
    job_id: int, attempt_no: int, waiting: Waiting, worker_id: str, *, uow: UnitOfWork
) -> bool:
    """Persist the provider's task handle, what submitting it cost, and who polls it, before
    waiting; False if moved on."""

    def change(job: Job) -> None:
        job.record_task(waiting.task_id, waiting.polling_url, worker_id, waiting.provider_cost)

    return _step(job_id, uow=uow, applies=_running(attempt_no), change=change)


def fail_job(
    job_id: int, attempt_no: int, code: str, message: str, *, uow: UnitOfWork, clock: Clock
) -> bool:
    """Fail a job that still runs this attempt, with a code and a message, releasing its
    hold; False if it moved on (finished, or requeued by a retry or a rescue)."""

    def change(job: Job) -> None:
        job.fail(code, message, clock.now())

    return _step(job_id, uow=uow, applies=_running(attempt_no), change=change, settle=_release(uow))


def requeue_job(
    job_id: int,
    attempt_no: int,
    code: str,
    message: str,
    *,
    uow: UnitOfWork,
    run_after: datetime | None = None,
) -> bool:
    """Send a started job back to pending for another attempt, not before `run_after`."""

    def change(job: Job) -> None:
        job.requeue(code, message, run_after)

    return _step(job_id, uow=uow, applies=_running(attempt_no), change=change)


def cancel_running_job(job_id: int, *, uow: UnitOfWork, clock: Clock) -> bool:
    """Stop a running job whose cancellation was requested, releasing its hold."""

    def applies(job: Job) -> bool:
        return job.status is Status.PROCESSING and job.cancel_requested

    def change(job: Job) -> None:
        job.cancel(clock.now())

    return _step(job_id, uow=uow, applies=applies, change=change, settle=_release(uow))
