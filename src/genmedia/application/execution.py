"""The job lifecycle steps, each its own short transaction (SPEC EXE-1, EXE-2).

Network and storage I/O happen between these steps, never inside them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs

from genmedia.application import billing
from genmedia.application.ports import Clock, UnitOfWork, Waiting
from genmedia.application.retry import retry_stale
from genmedia.domain.errors import IllegalTransition
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


def record_provider_task(
    job_id: int, attempt_no: int, waiting: Waiting, worker_id: str, *, uow: UnitOfWork
) -> bool:
    """Persist the provider's task handle, and who polls it, before waiting; False if moved on."""

    def attempt() -> bool:
        with uow:
            request = uow.requests.get_by_job(job_id, for_update=True)
            job = request.job(job_id)
            if job.status is not Status.PROCESSING or job.attempts != attempt_no:
                return False
            job.await_provider(waiting.task_id, waiting.polling_url)
            job.worker_id = worker_id
            uow.requests.save(request)
            uow.commit()
        return True

    return retry_stale(attempt)


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

    def attempt() -> bool:
        with uow:
            request = uow.requests.get_by_job(job_id, for_update=True)
            job = request.job(job_id)
            if job.status is not Status.PROCESSING or job.attempts != attempt_no:
                return False
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
            now = clock.now()
            charged = billing.capture_for_job(uow, job, media[0].id if media else None)
            metadata = {**output_metadata, "credits_charged": charged}
            if charged < billing.job_cost(job):
                metadata["billing"] = "unpaid" if charged == 0 else "partial"
            request.complete_job(job_id, now, metadata, charged, provider_cost)
            uow.requests.save(request)
            uow.commit()
        return True

    return retry_stale(attempt)


def fail_job(
    job_id: int, attempt_no: int, code: str, message: str, *, uow: UnitOfWork, clock: Clock
) -> bool:
    """Fail a started job with a code and a message; False if it moved on meanwhile."""

    def attempt() -> bool:
        with uow:
            request = uow.requests.get_by_job(job_id, for_update=True)
            job = request.job(job_id)
            if job.attempts != attempt_no:
                return False
            now = clock.now()
            try:
                request.fail_job(job_id, code, message, now)
            except IllegalTransition:
                return False
            billing.release_for_job(uow, job)
            uow.requests.save(request)
            uow.commit()
        return True

    return retry_stale(attempt)


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

    def attempt() -> bool:
        with uow:
            request = uow.requests.get_by_job(job_id, for_update=True)
            job = request.job(job_id)
            if job.status is not Status.PROCESSING or job.attempts != attempt_no:
                return False
            request.requeue_job(job_id, code, message, run_after)
            uow.requests.save(request)
            uow.commit()
        return True

    return retry_stale(attempt)


def cancel_running_job(job_id: int, *, uow: UnitOfWork, clock: Clock) -> bool:
    """Stop a running job whose cancellation was requested, releasing its hold."""

    def attempt() -> bool:
        with uow:
            request = uow.requests.get_by_job(job_id, for_update=True)
            job = request.job(job_id)
            if job.status is not Status.PROCESSING or not job.cancel_requested:
                return False
            request.cancel_job(job_id, clock.now())
            billing.release_for_job(uow, job)
            uow.requests.save(request)
            uow.commit()
        return True

    return retry_stale(attempt)
