"""What the queue looks like now, for monitoring: jobs by status, queue depth per tier, jobs
waiting on a provider and the poll messages the broker holds (one per waiting job, when
every job has exactly one poll chain)."""

from __future__ import annotations

import attrs

from genmedia.application.ports import JobQueue, UnitOfWork
from genmedia.domain.scheduling import TIERS
from genmedia.domain.status import Status


@attrs.frozen(kw_only=True)
class QueueStats:
    """Live jobs per status and pending jobs per tier (every status and tier is present),
    running jobs waiting on their provider's task, and the poll messages the broker holds
    (None: the broker was not asked)."""

    jobs_by_status: dict[str, int]
    depth_by_tier: dict[str, int]
    waiting_on_provider: int = 0
    poll_messages: int | None = None


def queue_stats(*, uow: UnitOfWork, queue: JobQueue | None = None) -> QueueStats:
    """Count jobs by status, the pending ones by tier and those waiting on a provider, in one
    read-only transaction; then, given a `queue`, the poll messages it holds."""
    with uow:
        by_status = uow.stats.count_jobs_by_status()
        by_tier = uow.stats.pending_by_tier()
        waiting = uow.stats.waiting_on_provider()
    return QueueStats(
        jobs_by_status={s.value: by_status.get(s.value, 0) for s in Status},
        depth_by_tier={tier: by_tier.get(tier, 0) for tier in TIERS},
        waiting_on_provider=waiting,
        poll_messages=None if queue is None else len(queue.poll_messages()),
    )
