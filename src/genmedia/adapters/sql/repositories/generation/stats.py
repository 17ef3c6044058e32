"""Counts of jobs for monitoring, in SQL."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository
from genmedia.adapters.sql.tables import generation_jobs
from genmedia.application.ports import StatsRepository
from genmedia.domain.scheduling import tier_of
from genmedia.domain.status import Status

_jobs = generation_jobs
_live = _jobs.c.deleted_at.is_(None)


class SqlStatsRepository(SqlRepository, StatsRepository):
    """Counts, each answered from a partial index of live jobs."""

    def count_jobs_by_status(self) -> dict[str, int]:
        """Live jobs per status (idx_generation_jobs_status)."""
        query = (
            sa.select(_jobs.c.status, sa.func.count().label("n"))
            .where(_live)
            .group_by(_jobs.c.status)
        )
        return {Status(row.status).value: row.n for row in self._all(query)}

    def pending_by_tier(self) -> dict[str, int]:
        """Live pending jobs per tier, grouped by priority (idx_generation_jobs_priority_status)."""
        query = (
            sa.select(_jobs.c.priority, sa.func.count().label("n"))
            .where(_live, _jobs.c.status == Status.PENDING.value)
            .group_by(_jobs.c.priority)
        )
        tiers: Counter[str] = Counter()
        for row in self._all(query):
            tiers[tier_of(row.priority)] += row.n
        return dict(tiers)

    def waiting_on_provider(self) -> int:
        """Live running jobs with a provider task (idx_generation_jobs_status)."""
        query = sa.select(sa.func.count()).where(
            _live, _jobs.c.status == Status.PROCESSING.value, _jobs.c.provider_task_id.is_not(None)
        )
        return int(self._connection.execute(query).scalar_one())
