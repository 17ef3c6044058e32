"""Pruning finished jobs in SQL (SPEC GEN-11)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository
from genmedia.adapters.sql.tables import credit_holds, generation_jobs, generation_requests
from genmedia.application.ports import RetentionRepository
from genmedia.domain.holds import HoldStatus
from genmedia.domain.status import TERMINAL, Status

_jobs = generation_jobs
_holds = credit_holds
_FINISHED = sorted(status.value for status in TERMINAL)
_UNFINISHED = sorted(status.value for status in Status if not status.is_terminal)


class SqlRetentionRepository(SqlRepository, RetentionRepository):
    """Deletes old finished jobs in one statement per batch."""

    def delete_finished_jobs(self, before: datetime, limit: int) -> int:
        """Hard-delete up to `limit` jobs that finished before `before`; return how many.

        The candidates come from idx_generation_jobs_finished, oldest first; a job is kept
        while its request has an unfinished job (read through the (request_id, job_index)
        key) or a pending hold is on it. The foreign keys set the job's media and holds to
        NULL; the ledger has no key to jobs and keeps the id.
        """
        job, sibling = _jobs.alias("job"), _jobs.alias("sibling")
        busy_request = sa.exists().where(
            sibling.c.request_id == job.c.request_id, sibling.c.status.in_(_UNFINISHED)
        )
        held = sa.exists().where(
            _holds.c.job_id == job.c.id, _holds.c.status == HoldStatus.PENDING.value
        )
        doomed = (
            sa.select(job.c.id)
            .where(job.c.status.in_(_FINISHED), job.c.completed_at < before, ~busy_request, ~held)
            .order_by(job.c.completed_at, job.c.id)
            .limit(limit)
        )
        statement = sa.delete(_jobs).where(_jobs.c.id.in_(doomed.scalar_subquery()))
        return int(self._connection.execute(statement).rowcount)

    def archive_requests(self, before: datetime, now: datetime, limit: int) -> int:
        """Archive up to `limit` finished, live requests made before `before`, oldest first
        (read through idx_generation_requests_unarchived)."""
        r = generation_requests
        doomed = (
            sa.select(r.c.id)
            .where(
                r.c.archived_at.is_(None),
                r.c.created_at < before,
                r.c.status.in_(_FINISHED),
                r.c.deleted_at.is_(None),
            )
            .order_by(r.c.created_at, r.c.id)
            .limit(limit)
        )
        statement = (
            sa.update(r)
            .where(r.c.id.in_(doomed.scalar_subquery()), r.c.archived_at.is_(None))
            .values(archived_at=now, version=r.c.version + 1)
        )
        return int(self._connection.execute(statement).rowcount)
