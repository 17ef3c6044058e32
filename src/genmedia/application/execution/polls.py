"""The steps of a job waiting on its provider's task: one poll chain per job (see
`domain.poll_chain`), each step its own short transaction.

A worker sends a poll message only after `wait_for_task` or `wait_for_poll` committed the
wait and gave it the message's token; a poll message runs only if `take_poll` takes the
job with its token.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from genmedia.application.execution.steps import step
from genmedia.application.ports import UnitOfWork, Waiting
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

    return _wait(job, change, uow)


def wait_for_poll(job: Job, at: datetime, *, uow: UnitOfWork) -> int | None:
    """Go on waiting on the provider's task until a poll at `at`; the poll message's token,
    or None if the job moved on from the worker's lease."""

    def change(current: Job) -> None:
        current.await_poll(at)

    return _wait(job, change, uow)


def _wait(job: Job, change: Callable[[Job], None], uow: UnitOfWork) -> int | None:
    def ours(current: Job) -> bool:
        return current.runs(job.lease, job.worker_id)

    waited = step(job.id or 0, uow=uow, applies=ours, change=change, follow=False)
    return None if waited is None else waited.lease
