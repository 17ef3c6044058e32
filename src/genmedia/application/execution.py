"""The job lifecycle steps, each its own short transaction (SPEC EXE-1, EXE-2).

Network and storage I/O happen between these steps, never inside them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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
        with uow.one_statement():
            jobs = uow.jobs.claim(job_ids, worker_id, clock.now(), job_timeout)
            uow.commit()
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
        return _running(attempt_no)(job) and job.worker_id == worker_id

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
    return lambda job: job.status is Status.PROCESSING and job.attempts == attempt_no


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
        job.await_provider(waiting.task_id, waiting.polling_url)
        job.worker_id = worker_id
        if waiting.provider_cost is not None:
            job.provider_cost = waiting.provider_cost

    return _step(job_id, uow=uow, applies=_running(attempt_no), change=change)


@attrs.frozen(kw_only=True)
class Completion:
    """A finished attempt of a job, its outputs already in storage."""

    job_id: int
    attempt: int
    outputs: Sequence[StoredOutput]
    metadata: Mapping[str, Any]
    provider_cost: float | None = None


def complete_jobs(completions: Sequence[Completion], *, uow: UnitOfWork, clock: Clock) -> set[int]:
    """Write the media rows, charge the holds and complete the jobs and their requests, all
    in one transaction; the ids of the jobs completed. A completion whose job is no longer
    running that attempt changes nothing.

    Each job is saved as charged in full; in the rare case that less could be charged (its
    hold expired and the balance no longer covers it) it is saved again with what was.
    """
    now = clock.now()

    def attempt() -> set[int]:
        with uow:
            done = _running_attempts(uow, completions)
            for job, completion in done:
                cost = billing.job_cost(job)
                job.complete(now, {**completion.metadata, "credits_charged": cost}, cost)
                job.provider_cost = completion.provider_cost
            finished = [job for job, _ in done]
            uow.jobs.save_all(finished)
            uow.requests.follow_all({job.request_id or 0 for job in finished})
            _store_and_charge(uow, done, now)
            uow.commit()
        return {job.id or 0 for job in finished}

    return retry_stale(attempt)


def _running_attempts(
    uow: UnitOfWork, completions: Sequence[Completion]
) -> list[tuple[Job, Completion]]:
    """Lock the jobs; those still running the completed attempt, each once."""
    jobs = {job.id: job for job in uow.jobs.lock([c.job_id for c in completions])}
    done: dict[int, tuple[Job, Completion]] = {}
    for completion in completions:
        job = jobs.get(completion.job_id)
        if job is not None and _running(completion.attempt)(job):
            done.setdefault(completion.job_id, (job, completion))
    return list(done.values())


def _store_and_charge(
    uow: UnitOfWork, done: Sequence[tuple[Job, Completion]], now: datetime
) -> None:
    """Add the completed jobs' media and charge them; a job that could not be charged in
    full is saved again with what was."""
    media = {job.id: _media(job, completion.outputs) for job, completion in done}
    uow.media.add_all([item for items in media.values() for item in items])
    charges = [(job, media[job.id][0].id if media[job.id] else None) for job, _ in done]
    charged = billing.capture_for_jobs(uow, charges, now)
    short = [(j, c) for j, c in done if charged[j.id or 0] < billing.job_cost(j)]
    for job, completion in short:
        paid = charged[job.id or 0]
        state = "unpaid" if paid == 0 else "partial"
        job.output_metadata = {**completion.metadata, "credits_charged": paid, "billing": state}
        job.credits_used = paid
    if short:
        uow.jobs.save_all([job for job, _ in short])
        uow.requests.follow_all({job.request_id or 0 for job, _ in short})


def _media(job: Job, outputs: Sequence[StoredOutput]) -> list[Media]:
    source = job.input_json.get("inputs") or [{}]
    return [
        Media.generated(
            user_id=job.user_id,
            request_id=job.request_id or 0,
            job_id=job.id or 0,
            output_index=out.index,
            storage_path=out.storage_path,
            info=out.info,
            original_media_id=source[0].get("media_id"),
        )
        for out in outputs
    ]


def complete_job(
    job_id: int,
    attempt_no: int,
    outputs: Sequence[StoredOutput],
    output_metadata: Mapping[str, Any],
    *,
    uow: UnitOfWork,
    clock: Clock,
    provider_cost: float | None = None,
) -> bool:
    """`complete_jobs` for one job; False if it is no longer running that attempt."""
    completion = Completion(
        job_id=job_id,
        attempt=attempt_no,
        outputs=outputs,
        metadata=output_metadata,
        provider_cost=provider_cost,
    )
    return job_id in complete_jobs([completion], uow=uow, clock=clock)


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
