"""Generation use cases: estimate, submit and cancel requests (SPEC GEN-1…6)."""

from __future__ import annotations

import secrets
from datetime import timedelta

import attrs

from genmedia.application.execution import settled
from genmedia.application.generation.choices import load_choice
from genmedia.application.generation.commands import CancelRequest, DeleteRequest, SubmitRequest
from genmedia.application.ports import Clock, UnitOfWork
from genmedia.application.retry import retry_stale
from genmedia.application.wallet import billing
from genmedia.application.wallet.billing import DEFAULT_HOLD_TTL
from genmedia.domain.choice import MAX_SEED
from genmedia.domain.planning import plan_request
from genmedia.domain.request import GenerationRequest
from genmedia.domain.trending import activity_hour


@attrs.frozen
class Estimate:
    """What a request would cost and make, before anything is stored."""

    estimated_cost: int
    final_prompt: str
    job_count: int


def estimate_request(cmd: SubmitRequest, *, uow: UnitOfWork, clock: Clock) -> Estimate:
    """Validate and price a request without storing or reserving anything."""
    with uow:
        request = plan_request(load_choice(uow, cmd), seed=0, now=clock.now())
    return Estimate(request.estimated_cost, request.final_prompt, len(request.jobs))


def submit_request(
    cmd: SubmitRequest, *, uow: UnitOfWork, clock: Clock, hold_ttl: timedelta = DEFAULT_HOLD_TTL
) -> GenerationRequest:
    """Accept a request: store it, its pending jobs and their credit holds in one transaction.

    InsufficientCredits, or a validation error naming the field, is raised before anything
    is stored or queued.
    """
    seed, now = secrets.randbelow(MAX_SEED + 1), clock.now()
    with uow:
        request = plan_request(load_choice(uow, cmd), seed=seed, now=now)
        uow.requests.add(request)
        billing.reserve_for_request(uow, request, hold_ttl)
        if request.template_id is not None:
            uow.trends.count(request.template_id, activity_hour(now), uses=1)
        uow.commit()
    return request


def cancel_request(cmd: CancelRequest, *, uow: UnitOfWork, clock: Clock) -> GenerationRequest:
    """Cancel a request's pending jobs; NothingToCancel if none is pending."""

    def attempt() -> GenerationRequest:
        with uow:
            request = uow.requests.get(cmd.request_id, for_update=True)
            request.check_seen_by(cmd.user_id)
            for job in request.cancel(clock.now()):
                settled.job_ended(uow, job)
            uow.requests.save(request)
            uow.commit()
        return request

    return retry_stale(attempt)


def delete_request(cmd: DeleteRequest, *, uow: UnitOfWork, clock: Clock) -> None:
    """Soft-delete a user's request, cancelling its pending jobs (their credits are
    released) and asking running ones to stop; NotFound if it is not theirs or gone."""

    def attempt() -> None:
        with uow:
            request = uow.requests.get(cmd.request_id, for_update=True)
            request.check_seen_by(cmd.user_id)
            for job in request.soft_delete(clock.now()):
                settled.job_ended(uow, job)
            uow.requests.save(request)
            uow.commit()

    retry_stale(attempt)
