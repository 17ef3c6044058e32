"""What the queue looks like now, for monitoring (issue: jobs by status, queue depth per tier)."""

from __future__ import annotations

import attrs

from genmedia.application.ports import UnitOfWork
from genmedia.domain.scheduling import TIERS
from genmedia.domain.status import Status


@attrs.frozen(kw_only=True)
class QueueStats:
    """Live jobs per status and pending jobs per tier; every status and tier is present."""

    jobs_by_status: dict[str, int]
    depth_by_tier: dict[str, int]


def queue_stats(*, uow: UnitOfWork) -> QueueStats:
    """Count jobs by status and the pending ones by tier, in one read-only transaction."""
    with uow:
        by_status = uow.stats.count_jobs_by_status()
        by_tier = uow.stats.pending_by_tier()
    return QueueStats(
        jobs_by_status={s.value: by_status.get(s.value, 0) for s in Status},
        depth_by_tier={tier: by_tier.get(tier, 0) for tier in TIERS},
    )
