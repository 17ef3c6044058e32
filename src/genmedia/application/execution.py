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
from genmedia.domain.request import GenerationRequest
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

    The first claim fixes the job's deadline: `job_timeout` after the job was created.
    """

    def attempt() -> Job | None:
        with uow:
            request = uow.requests.get_by_job(job_id, for_update=True)
            if request.job(job_id).status is not Status.PENDING:
                return None
            now = clock.now()
            job = request.start_job(job_id, worker_id, now)
            job.deadline_at = job.deadline_at or (job.created_at or now) + job_timeout
            uow.requests.save(request)
            uow.commit()
        return job

    return retry_stale(attempt)


def load_job(job_id: int, *, uow: UnitOfWork) -> Job:
    """The job as it is now."""
    with uow:
        return uow.requests.get_by_job(job_id).job(job_id)


def _step(
    job_id: int,
    *,
    uow: UnitOfWork,
    applies: Callable[[Job], bool],
    change: Callable[[GenerationRequest, Job], None],
) -> bool:
    """Load the job's request locked, apply `change` if `applies`, save and commit; retried on
    a lost race. False, with nothing written, when the job no longer is where the step expects.
    """

    def attempt() -> bool:
        with uow:
            request = uow.requests.get_by_job(job_id, for_update=True)
            job = request.job(job_id)
            if not applies(job):
                return False
            change(request, job)
            uow.requests.save(request)
            uow.commit()
        return True

    return retry_stale(attempt)


def _running(attempt_no: int) -> Callable[[Job], bool]:
    return lambda job: job.status is Status.PROCESSING and job.attempts == attempt_no


def record_provider_task(
    job_id: int, attempt_no: int, waiting: Waiting, worker_id: str, *, uow: UnitOfWork
) -> bool:
    """Persist the provider's task handle, and who polls it, before waiting; False if moved on."""

    def change(request: GenerationRequest, job: Job) -> None:
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
    """Write the media rows, charge the hold and complete the job and its request, atomically."""

    def change(request: GenerationRequest, job: Job) -> None:
        source = job.input_json.get("inputs") or [{}]
        media = [
            uow.media.add(
                Media.generated(
                    user_id=job.user_id,
                    request_id=request.id or 0,
                    job_id=job_id,
                    output_index=out.index,
                    storage_path=out.storage_path,
                    info=out.info,
                    original_media_id=source[0].get("media_id"),
                )
            )
            for out in outputs
        ]
        charged = billing.capture_for_job(uow, job, media[0].id if media else None)
        metadata = {**output_metadata, "credits_charged": charged}
        if charged < billing.job_cost(job):
            metadata["billing"] = "unpaid" if charged == 0 else "partial"
        request.complete_job(job_id, clock.now(), metadata, charged, provider_cost)

    return _step(job_id, uow=uow, applies=_running(attempt_no), change=change)


def fail_job(
    job_id: int, attempt_no: int, code: str, message: str, *, uow: UnitOfWork, clock: Clock
) -> bool:
    """Fail an unfinished job with a code and a message, releasing its hold; False if moved on."""

    def change(request: GenerationRequest, job: Job) -> None:
        request.fail_job(job_id, code, message, clock.now())
        billing.release_for_job(uow, job)

    def applies(job: Job) -> bool:
        return job.attempts == attempt_no and not job.status.is_terminal

    return _step(job_id, uow=uow, applies=applies, change=change)


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

    def change(request: GenerationRequest, job: Job) -> None:
        request.requeue_job(job_id, code, message, run_after)

    return _step(job_id, uow=uow, applies=_running(attempt_no), change=change)


def cancel_running_job(job_id: int, *, uow: UnitOfWork, clock: Clock) -> bool:
    """Stop a running job whose cancellation was requested, releasing its hold."""

    def change(request: GenerationRequest, job: Job) -> None:
        request.cancel_job(job_id, clock.now())
        billing.release_for_job(uow, job)

    def applies(job: Job) -> bool:
        return job.status is Status.PROCESSING and job.cancel_requested

    return _step(job_id, uow=uow, applies=applies, change=change)
