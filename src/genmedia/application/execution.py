"""The job lifecycle steps, each its own short transaction (SPEC EXE-1, EXE-2).

Network and storage I/O happen between these steps, never inside them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import attrs

from genmedia.application import billing
from genmedia.application.ports import Clock, UnitOfWork, Waiting
from genmedia.application.retry import retry_stale
from genmedia.domain.job import Job
from genmedia.domain.media import ImageInfo, Media
from genmedia.domain.status import Status

DEFAULT_JOB_TIMEOUT = timedelta(minutes=30)


@attrs.frozen(kw_only=True)
class StoredOutput:
    """One output already written to storage and measured."""

    index: int
    storage_path: str
    info: ImageInfo


def claim_job(
    job_id: int,
    worker_id: str,
    *,
    uow: UnitOfWork,
    clock: Clock,
    job_timeout: timedelta = DEFAULT_JOB_TIMEOUT,
) -> Job | None:
    """Claim a pending job for a worker; None if it was claimed, cancelled or finished already.

    The save is guarded by the status the job was read with, so of two deliveries of one
    message only one claims the job. The first claim fixes the job's deadline:
    `job_timeout` after the job was created.
    """

    def attempt() -> Job | None:
        with uow:
            job = uow.jobs.get(job_id)
            if job.status is not Status.PENDING:
                return None
            now = clock.now()
            job.start(worker_id, now)
            job.deadline_at = job.deadline_at or (job.created_at or now) + job_timeout
            uow.jobs.save(job)
            uow.requests.mark_started(job.request_id or 0)
            uow.commit()
        return job

    return retry_stale(attempt)


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
    return lambda job: job.status is Status.PROCESSING and job.attempts == attempt_no


def _release(uow: UnitOfWork) -> Callable[[Job], None]:
    def settle(job: Job) -> None:
        billing.release_for_job(uow, job)

    return settle


def record_provider_task(
    job_id: int, attempt_no: int, waiting: Waiting, worker_id: str, *, uow: UnitOfWork
) -> bool:
    """Persist the provider's task handle, and who polls it, before waiting; False if moved on."""

    def change(job: Job) -> None:
        job.await_provider(waiting.task_id, waiting.polling_url)
        job.worker_id = worker_id

    return _step(job_id, uow=uow, applies=_running(attempt_no), change=change)


def complete_job(
    job_id: int,
    attempt_no: int,
    outputs: list[StoredOutput],
    output_metadata: dict[str, Any],
    *,
    uow: UnitOfWork,
    clock: Clock,
    provider_cost: float | None = None,
) -> bool:
    """Write the media rows, charge the hold and complete the job and its request, atomically.

    The job is saved as charged in full; in the rare case that less could be charged (its
    hold expired and the balance no longer covers it) it is saved again with what was.
    """
    now = clock.now()

    def change(job: Job) -> None:
        cost = billing.job_cost(job)
        job.complete(now, {**output_metadata, "credits_charged": cost}, cost)
        job.provider_cost = provider_cost

    def settle(job: Job) -> None:
        source = job.input_json.get("inputs") or [{}]
        media = [
            uow.media.add(
                Media.generated(
                    user_id=job.user_id,
                    request_id=job.request_id or 0,
                    job_id=job_id,
                    output_index=out.index,
                    storage_path=out.storage_path,
                    info=out.info,
                    original_media_id=source[0].get("media_id"),
                ),
                replay_checked=True,
            )
            for out in outputs
        ]
        cost = billing.job_cost(job)
        charged = billing.capture_for_job(uow, job, media[0].id if media else None, now)
        if charged < cost:
            billing_state = "unpaid" if charged == 0 else "partial"
            metadata = {**output_metadata, "credits_charged": charged, "billing": billing_state}
            job.output_metadata, job.credits_used = metadata, charged
            uow.jobs.save(job)
            uow.requests.follow_jobs(job.request_id or 0)

    return _step(job_id, uow=uow, applies=_running(attempt_no), change=change, settle=settle)


def fail_job(
    job_id: int, attempt_no: int, code: str, message: str, *, uow: UnitOfWork, clock: Clock
) -> bool:
    """Fail an unfinished job with a code and a message, releasing its hold; False if moved on."""

    def applies(job: Job) -> bool:
        return job.attempts == attempt_no and not job.status.is_terminal

    def change(job: Job) -> None:
        job.fail(code, message, clock.now())

    return _step(job_id, uow=uow, applies=applies, change=change, settle=_release(uow))


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
