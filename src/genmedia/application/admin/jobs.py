"""Admin: retrying a failed job (API.md, Admin: POST /v1/admin/jobs/{id}/retry).

The failed job stays as it ended; its request gets a new pending job with the same input
and price (`GenerationRequest.retry`), whose cost is held again like any job's, in the same
transaction, and which the dispatcher hands to a worker like any other pending job.
"""

from __future__ import annotations

from datetime import timedelta

from genmedia.application.admin.audit import audit
from genmedia.application.ports import Clock, UnitOfWork
from genmedia.application.retry import retry_stale
from genmedia.application.wallet import billing
from genmedia.application.wallet.billing import DEFAULT_HOLD_TTL
from genmedia.domain.job import Job


def retry_job(
    actor_id: int | None,
    job_id: int,
    *,
    uow: UnitOfWork,
    clock: Clock,
    hold_ttl: timedelta = DEFAULT_HOLD_TTL,
) -> Job:
    """The new pending job that runs a failed job again, its cost held; IllegalTransition
    for a job that did not fail, AlreadyUsed for one retried already, InsufficientCredits
    if its owner cannot pay for it now (then nothing changes)."""

    def attempt() -> Job:
        with uow:
            request = uow.requests.get(uow.jobs.get(job_id).request_id or 0, for_update=True)
            again = request.retry(job_id)
            uow.requests.save(request)
            held = billing.reserve_for_job(uow, again, hold_ttl)
            after = {"retried_as": again.id, "credits_held": held}
            before = {"status": request.job(job_id).status.value}
            audit(uow, actor_id, "retry", "job", job_id, before, after, clock.now())
            uow.commit()
        return again

    return retry_stale(attempt)
