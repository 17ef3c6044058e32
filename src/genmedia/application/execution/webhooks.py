"""A provider's webhook: a hint that its task finished, confirmed by one poll (SPEC EXE-2).

The delivery is verified against its raw body, then only moves the waiting job's next poll
to now (`PollChain.hurry_poll`): the job completes through the same poll as without a
webhook, so a webhook racing a poll, or one delivered three times, completes the job once.
What the delivery says of the outcome is never trusted on its own.
"""

from __future__ import annotations

from collections.abc import Mapping

from genmedia.application.ports import Clock, JobQueue, UnitOfWork, WebhookVerifier
from genmedia.application.retry import retry_stale
from genmedia.domain.errors import NotFound


def receive_webhook(
    provider: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    verifiers: Mapping[str, WebhookVerifier],
    uow: UnitOfWork,
    queue: JobQueue,
    clock: Clock,
) -> list[int]:
    """Verify a delivery from `provider`, then hurry the poll of the jobs waiting on the
    task it names; the ids of the jobs hurried (none if they are polled or done already)."""
    verifier = verifiers.get(provider)
    if verifier is None:
        raise NotFound("webhook provider", provider)
    task_id = verifier.task_of(headers, body)
    return hurry_task(provider, task_id, uow=uow, queue=queue, clock=clock)


def hurry_task(
    provider: str, task_id: str, *, uow: UnitOfWork, queue: JobQueue, clock: Clock
) -> list[int]:
    """Move the next poll of the jobs waiting on this provider task to now, then send each
    its one poll message; the ids of the jobs hurried."""

    def attempt() -> list[tuple[int, int]]:
        now = clock.now()
        with uow:
            jobs = [j for j in uow.jobs.running_on_task(task_id) if j.input.provider == provider]
            hurried = [(job, job.hurry_poll(now)) for job in jobs]
            changed = [job for job, token in hurried if token is not None]
            uow.jobs.save_all(changed)
            uow.commit()
        return [(job.id or 0, token) for job, token in hurried if token is not None]

    sent = retry_stale(attempt)
    for job_id, token in sent:
        queue.send_poll(job_id, 0.0, token)
    return [job_id for job_id, _ in sent]
