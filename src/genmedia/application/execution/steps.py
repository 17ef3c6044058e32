"""The job lifecycle steps, each its own short transaction (SPEC EXE-1, EXE-2).

Network and storage I/O happen between these steps, never inside them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from genmedia.application.ports import Clock, UnitOfWork, Waiting
from genmedia.application.retry import retry_stale
from genmedia.application.wallet import billing
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

    job: Job  # as its worker ran it: `attempts` is the attempt that finished
    outputs: Sequence[StoredOutput]
    metadata: Mapping[str, Any]
    provider_cost: float | None = None

    @property
    def job_id(self) -> int:
        """The job's id."""
        return self.job.id or 0

    @property
    def attempt(self) -> int:
        """The attempt that finished."""
        return self.job.attempts


def complete_jobs(
    completions: Sequence[Completion], *, uow: UnitOfWork, clock: Clock
) -> set[tuple[int, int]]:
    """Write the media rows, charge the holds and complete the jobs and their requests, all
    in one transaction; the (job id, attempt) of the completions written. A completion
    whose job is no longer running that attempt changes nothing.

    Each job is completed from the copy its worker ran, in one guarded write that also
    locks the rows, so the jobs are not read again. It is saved as charged in full; in the
    rare case that less could be charged (its hold expired and the balance no longer covers
    it) it is saved again with what was.
    """
    now = clock.now()
    once = {(c.job_id, c.attempt): c for c in reversed(completions)}  # the first of each

    def attempt() -> set[tuple[int, int]]:
        finished = [_completed(completion, now) for completion in once.values()]
        of_job = {id(job): (job, completion) for job, completion in finished}
        with uow:
            written = uow.jobs.save_completed([job for job, _ in finished])
            done = [of_job[id(job)] for job in written]
            uow.requests.follow_all({job.request_id or 0 for job, _ in done}, locked=True)
            _store_and_charge(uow, done, now)
            uow.commit()
        return {(completion.job_id, completion.attempt) for _, completion in done}

    return retry_stale(attempt)


def _completed(completion: Completion, now: datetime) -> tuple[Job, Completion]:
    """A copy of the completion's job, completed and charged in full."""
    job = attrs.evolve(completion.job)
    cost = billing.job_cost(job)
    job.complete(now, {**completion.metadata, "credits_charged": cost}, cost)
    job.provider_cost = completion.provider_cost
    return job, completion


def _store_and_charge(
    uow: UnitOfWork, done: Sequence[tuple[Job, Completion]], now: datetime
) -> None:
    """Add the completed jobs' media and charge them; a job that could not be charged in
    full is saved again with what was."""
    media = {job.id: _media(job, completion.outputs) for job, completion in done}
    uow.media.add_all([item for items in media.values() for item in items])
    charges = [(job, media[job.id][0].id if media[job.id] else None) for job, _ in done]
    charged = billing.capture_for_jobs(uow, charges, now)
    short = {
        job.id or 0: (completion, charged[job.id or 0])
        for job, completion in done
        if charged[job.id or 0] < billing.job_cost(job)
    }
    if not short:
        return
    stored = uow.jobs.lock(list(short))
    for job in stored:
        completion, paid = short[job.id or 0]
        state = "unpaid" if paid == 0 else "partial"
        job.output_metadata = {**completion.metadata, "credits_charged": paid, "billing": state}
        job.credits_used = paid
    uow.jobs.save_all(stored)
    uow.requests.follow_all({job.request_id or 0 for job in stored})


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
    job: Job,
    outputs: Sequence[StoredOutput],
    output_metadata: Mapping[str, Any],
    *,
    uow: UnitOfWork,
    clock: Clock,
    provider_cost: float | None = None,
) -> bool:
    """`complete_jobs` for one job, as its worker ran it; False if it is no longer running
    that attempt."""
    completion = Completion(
        job=job, outputs=outputs, metadata=output_metadata, provider_cost=provider_cost
    )
    written = complete_jobs([completion], uow=uow, clock=clock)
    return (completion.job_id, completion.attempt) in written


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
