"""Holds for generation work: reserve on submit, capture on completion, release otherwise.

A job that completes after its hold expired is still delivered. Its cost is then debited
from the available balance if that covers it; otherwise it is delivered unpaid (the job
records credits_used = 0 and `billing: "unpaid"`). The balance never goes negative.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from genmedia.application.holds import settle_capture, settle_release
from genmedia.application.ports import UnitOfWork
from genmedia.domain.errors import InsufficientCredits
from genmedia.domain.holds import CreditHold, HoldStatus
from genmedia.domain.job import Job
from genmedia.domain.request import GenerationRequest
from genmedia.domain.wallet import EntryKind, EntryType, Links, Posting

DEFAULT_HOLD_TTL = timedelta(hours=6)


def job_cost(job: Job) -> int:
    """The credits a job costs, fixed when the request was priced."""
    return int(job.input_json.get("credits", 0))


def _kind(job: Job) -> EntryKind:
    return EntryKind.EDIT if job.input_json.get("inputs") else EntryKind.GENERATION


def reserve_for_request(uow: UnitOfWork, request: GenerationRequest, ttl: timedelta) -> None:
    """Hold every job's cost in one guarded statement; InsufficientCredits refuses the request."""
    total = sum(job_cost(job) for job in request.jobs)
    if total == 0:
        return
    expires_at = uow.wallets.now() + ttl
    uow.wallets.reserve(request.user_id, total)
    for job in request.jobs:
        if job_cost(job):
            hold = CreditHold(
                user_id=request.user_id,
                request_id=request.id,
                job_id=job.id,
                amount=job_cost(job),
                expires_at=expires_at,
            )
            uow.holds.add(hold)


def _charge(job: Job, amount: int, media_id: int | None) -> Posting:
    return Posting(
        reference_id=f"job:{job.id}:capture",
        type=EntryType.DEBIT,
        kind=_kind(job),
        amount=amount,
        reason=f"{_kind(job).value} job {job.id}",
        links=Links(request_id=job.request_id, job_id=job.id, media_id=media_id),
    )


def capture_for_job(
    uow: UnitOfWork, job: Job, media_id: int | None = None, now: datetime | None = None
) -> int:
    """Charge a completed job from its hold, returning the rest; the credits charged."""
    cost = job_cost(job)
    hold = uow.holds.for_job(job.id or 0)
    charge = partial(_charge, job, media_id=media_id)
    if hold and hold.status is HoldStatus.PENDING and settle_capture(uow, hold, cost, charge, now):
        return hold.captured
    if cost == 0:
        return 0
    try:
        return uow.wallets.post(job.user_id, charge(cost)).amount
    except InsufficientCredits:
        return 0


def release_for_job(uow: UnitOfWork, job: Job) -> int:
    """Give a failed or cancelled job's held credits back; the credits released."""
    hold = uow.holds.for_job(job.id or 0)
    if hold is None or hold.status is not HoldStatus.PENDING:
        return 0
    return hold.amount if settle_release(uow, hold) else 0
