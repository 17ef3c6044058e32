"""Handing committed pending jobs to the broker: the jobs table is the outbox."""

from __future__ import annotations

from datetime import timedelta

import attrs

from genmedia.application.ports import Clock, JobQueue, Metrics, UnitOfWork
from genmedia.domain.scheduling import ProviderLimits, tier_of

BATCH = 100


@attrs.frozen(kw_only=True)
class DispatchPolicy:
    """How much work the dispatcher hands out: per round, per user, per provider and in all."""

    batch: int = BATCH
    user_cap: int = 4
    max_in_flight: int = 64
    limits: ProviderLimits = attrs.field(factory=ProviderLimits)


def dispatch_pending(
    *,
    uow: UnitOfWork,
    queue: JobQueue,
    clock: Clock,
    metrics: Metrics,
    policy: DispatchPolicy | None = None,
) -> int:
    """Pick due jobs (priority first, per-user and per-provider caps, bounded in flight),
    mark them, then send.

    Picking and marking commit together, so two dispatchers never pick the same job; the
    messages are sent together after the commit, outside any transaction. If sending fails,
    the round's jobs are made dispatchable again (some may have been sent: a job sent twice
    is harmless, the worker's guarded claim runs it once); if this process dies first,
    `redispatch_lost` does it later.
    """
    policy = policy or DispatchPolicy()
    now = clock.now()
    with uow:
        jobs = uow.outbox.claim_for_dispatch(
            now, policy.batch, policy.user_cap, policy.max_in_flight, policy.limits
        )
        uow.commit()
    if not jobs:
        return 0
    try:
        queue.send_runs([job.job_id for job in jobs])
    except BaseException:
        with uow:
            uow.outbox.unmark([job.job_id for job in jobs])
            uow.commit()
        raise
    for job in jobs:
        lag = (now - job.due_at).total_seconds() if job.due_at else 0.0
        metrics.job_dispatched(max(lag, 0.0), tier_of(job.priority))
    return len(jobs)


def redispatch_lost(*, uow: UnitOfWork, clock: Clock, after_seconds: float) -> int:
    """Pending jobs dispatched more than `after_seconds` ago lost their message; resend them."""
    with uow:
        count = uow.outbox.redispatch_stale(clock.now() - _seconds(after_seconds))
        uow.commit()
    return count


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)
