"""Holds for generation work: reserve on submit, capture on completion, release otherwise.

A job that completes after its hold expired is still delivered. Its cost is then debited
from the available balance if that covers it; otherwise it is delivered unpaid (the job
records credits_used = 0 and `billing: "unpaid"`). The balance never goes negative.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from genmedia.application.ports import UnitOfWork
from genmedia.application.wallet.holds import settle_release
from genmedia.domain import postings
from genmedia.domain.errors import InsufficientCredits
from genmedia.domain.holds import CreditHold, HoldStatus
from genmedia.domain.job import Job
from genmedia.domain.request import GenerationRequest
from genmedia.domain.wallet import Posting

DEFAULT_HOLD_TTL = timedelta(hours=6)


def reserve_for_request(uow: UnitOfWork, request: GenerationRequest, ttl: timedelta) -> None:
    """`reserve_for_requests` for one request."""
    reserve_for_requests(uow, [request], ttl)


def reserve_for_requests(
    uow: UnitOfWork, requests: Sequence[GenerationRequest], ttl: timedelta
) -> None:
    """Hold every job's cost of one user's requests in one guarded statement;
    InsufficientCredits refuses them all.

    The holds are inserted before the wallet row is locked, so the lock (which every
    capture of this user's jobs waits for) is held only until the commit."""
    if len({request.user_id for request in requests}) > 1:
        raise ValueError("the requests reserved together must be one user's")
    jobs = [(request, job) for request in requests for job in request.jobs]
    total = sum(job.input.credits for _, job in jobs)
    if total == 0:
        return
    expires_at = uow.wallets.now() + ttl
    holds = [
        CreditHold(
            user_id=request.user_id,
            request_id=request.id,
            job_id=job.id,
            amount=job.input.credits,
            expires_at=expires_at,
        )
        for request, job in jobs
        if job.input.credits
    ]
    uow.holds.add_all(holds)
    uow.wallets.reserve(requests[0].user_id, total)


def reserve_for_job(uow: UnitOfWork, job: Job, ttl: timedelta) -> int:
    """Hold one stored job's cost (a retried job); InsufficientCredits refuses it. The
    credits held."""
    if not job.input.credits:
        return 0
    expires_at = uow.wallets.now() + ttl
    hold = CreditHold(
        user_id=job.user_id,
        request_id=job.request_id,
        job_id=job.id,
        amount=job.input.credits,
        expires_at=expires_at,
    )
    uow.holds.add(hold)
    uow.wallets.reserve(job.user_id, hold.amount)
    return hold.amount


def capture_for_jobs(
    uow: UnitOfWork, charges: Sequence[tuple[Job, int | None]], now: datetime
) -> dict[int, int]:
    """Charge completed jobs (each with the id of its first media) from their holds, returning
    the rest; the credits charged, by job id.

    The holds are captured together, and each user's charges are one movement of the
    wallet. A job whose hold is no longer pending is charged from the balance instead.
    """
    holds = uow.holds.capture_for_jobs({job.id or 0: job.input.credits for job, _ in charges}, now)
    captured = [(job, holds[job.id], media) for job, media in charges if job.id in holds]
    charged = {
        job.id or 0: _charge_balance(uow, job, media)
        for job, media in charges
        if job.id not in holds
    }
    _post_captures(uow, captured)
    charged.update((job.id or 0, hold.captured) for job, hold, _ in captured)
    return charged


def _post_captures(uow: UnitOfWork, captured: list[tuple[Job, CreditHold, int | None]]) -> None:
    """Post each user's charges as one movement of the wallet that also frees their holds."""
    by_user: dict[int, list[tuple[Job, CreditHold, int | None]]] = defaultdict(list)
    for job, hold, media_id in captured:
        by_user[hold.user_id].append((job, hold, media_id))
    for user_id in sorted(by_user):
        items = by_user[user_id]
        debits = [_charge(job, hold.captured, media_id) for job, hold, media_id in items]
        release = sum(hold.amount for _, hold, _ in items)
        uow.wallets.post_all(user_id, [debit for debit in debits if debit], release=release)


def _charge(job: Job, amount: int, media_id: int | None) -> Posting | None:
    return postings.job_charge(job, amount, media_id)


def _charge_balance(uow: UnitOfWork, job: Job, media_id: int | None) -> int:
    """Charge a job whose hold is gone from the available balance, if it covers the cost."""
    charge = _charge(job, job.input.credits, media_id)
    if charge is None:
        return 0
    try:
        return uow.wallets.post(job.user_id, charge).amount
    except InsufficientCredits:
        return 0


def release_for_job(uow: UnitOfWork, job: Job) -> int:
    """Give a failed or cancelled job's held credits back; the credits released."""
    hold = uow.holds.for_job(job.id or 0)
    if hold is None or hold.status is not HoldStatus.PENDING:
        return 0
    return hold.amount if settle_release(uow, hold) else 0
