"""The jobs table read as the outbox of work to hand to the broker."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository
from genmedia.adapters.sql.tables import generation_jobs
from genmedia.application.ports import JobOutbox, PendingJob
from genmedia.domain.status import Status

_jobs = generation_jobs


def _undispatched() -> sa.ColumnElement[bool]:
    return sa.and_(
        _jobs.c.status == Status.PENDING,
        _jobs.c.dispatched_at.is_(None),
        _jobs.c.deleted_at.is_(None),
    )


class SqlJobOutbox(SqlRepository, JobOutbox):
    """Committed pending jobs, read and marked with guarded statements."""

    def pending(self, limit: int) -> list[PendingJob]:
        """Pending undispatched jobs, highest priority first, then oldest.

        On PostgreSQL rows another dispatcher has locked are skipped, not waited for.
        """
        query = (
            sa.select(_jobs.c.id, _jobs.c.user_id, _jobs.c.priority)
            .where(_undispatched())
            .order_by(_jobs.c.priority.desc(), _jobs.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [
            PendingJob(job_id=r.id, user_id=r.user_id, priority=r.priority)
            for r in self._all(query)
        ]

    def mark_dispatched(self, job_ids: Sequence[int], now: datetime) -> int:
        """Mark jobs dispatched if they still are pending and undispatched; return how many."""
        if not job_ids:
            return 0
        statement = (
            sa.update(_jobs)
            .where(_jobs.c.id.in_(list(job_ids)), _undispatched())
            .values(dispatched_at=now)
        )
        return self._connection.execute(statement).rowcount

    def count_unfinished(self, request_ids: Sequence[int]) -> int:
        """How many live jobs of these requests are still pending or processing."""
        if not request_ids:
            return 0
        query = sa.select(sa.func.count()).where(
            _jobs.c.request_id.in_(list(request_ids)),
            _jobs.c.status.in_([Status.PENDING, Status.PROCESSING]),
            _jobs.c.deleted_at.is_(None),
        )
        return int(self._connection.execute(query).scalar_one())
