"""The steps of a job waiting on its provider's task: one poll chain per job (see
`domain.poll_chain`), each step its own short transaction.

A worker sends a poll message only after `wait_for_task` or `wait_for_poll` committed the
wait and gave it the message's token; a poll message runs only if `take_poll` takes the
job with its token. `drop_stale_polls` clears the queue of messages no chain needs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from genmedia.application.execution.steps import step
from genmedia.application.ports import JobQueue, UnitOfWork, Waiting
from genmedia.application.trainings import outcomes
from genmedia.domain.job import Job


def take_poll(job_id: int, token: int, worker_id: str, *, uow: UnitOfWork) -> Job | None:
    """Take the job for the worker that got its poll message with `token`; None, with
    nothing written, when the message is stale (an older chain, or a copy of a message
    another worker took): acknowledge it and drop it."""

    def change(job: Job) -> None:
        job.take_poll(token, worker_id)

    return step(
        job_id, uow=uow, applies=lambda job: job.awaits_poll(token), change=change, follow=False
    )


def wait_for_task(job: Job, waiting: Waiting, at: datetime, *, uow: UnitOfWork) -> int | None:
    """Persist the provider's task handle and what submitting it cost, then wait for its
    poll at `at`, before any poll is sent; the poll message's token, or None if the job
    moved on from the worker's lease (`job` is the worker's copy)."""

    def change(current: Job) -> None:
        current.record_task(waiting.task_id, waiting.polling_url, waiting.provider_cost, at)

    def started(current: Job) -> None:
        outcomes.model_started(uow, current)

    return _wait(job, change, uow, started if job.input.training else None)


def wait_for_poll(job: Job, at: datetime, *, uow: UnitOfWork) -> int | None:
    """Go on waiting on the provider's task until a poll at `at`; the poll message's token,
    or None if the job moved on from the worker's lease."""

    def change(current: Job) -> None:
        current.await_poll(at)

    return _wait(job, change, uow)


def _wait(
    job: Job,
    change: Callable[[Job], None],
    uow: UnitOfWork,
    settle: Callable[[Job], None] | None = None,
) -> int | None:
    def ours(current: Job) -> bool:
        return current.runs(job.lease, job.worker_id)

    waited = step(job.id or 0, uow=uow, applies=ours, change=change, settle=settle, follow=False)
    return None if waited is None else waited.lease


def drop_stale_polls(*, uow: UnitOfWork, queue: JobQueue) -> int:
    """Discard the poll messages the queue holds that belong to no job's poll chain (e.g. a
    worker died between sending its job's next poll and acknowledging the one it ran, or
    the job finished meanwhile), when the queue holds more poll messages than jobs wait on
    a provider; how many were discarded. While no more jobs have messages than wait, only
    jobs with two messages are read: under load the excess is mostly a worker's next poll
    sent before its own message is acknowledged. A stale single message left then (a job
    that finished while another waiting job's message is being handled) is dropped when it
    is delivered (`take_poll`), or by a later round. Leases only grow, so a message found
    stale here never carries a chain again."""
    held = queue.poll_messages()
    with uow:
        waiting = uow.stats.waiting_on_provider()
        if len(held) <= waiting:
            return 0
        counts = Counter(job_id for job_id, _ in held)
        suspects = {j for j, n in counts.items() if n > 1} if len(counts) <= waiting else counts
        jobs = {job.id: job for job in uow.jobs.find(set(suspects))}
    stale = {
        (job_id, token)
        for job_id, token in held
        if job_id in suspects and (job_id not in jobs or not jobs[job_id].is_current_poll(token))
    }
    return queue.discard_polls(stale) if stale else 0
