"""Single jobs in SQL, saved with a guard on the status and attempt they were loaded at."""

from __future__ import annotations

import functools

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository
from genmedia.adapters.sql.repositories.request_rows import LoadedJobs, job_changes, job_from_row
from genmedia.adapters.sql.tables import generation_jobs
from genmedia.application.errors import StaleAggregate
from genmedia.application.ports import JobRepository
from genmedia.domain.errors import NotFound
from genmedia.domain.job import Job

_jobs = generation_jobs


@functools.cache
def _by_id() -> sa.Select[tuple[object, ...]]:
    return sa.select(_jobs).where(_jobs.c.id == sa.bindparam("job"))


@functools.lru_cache(maxsize=64)
def _guarded_update(columns: frozenset[str]) -> sa.Update:
    """UPDATE of these columns (bound as :v_<name>) where the row is still as loaded."""
    return (
        sa.update(_jobs)
        .where(
            _jobs.c.id == sa.bindparam("job"),
            _jobs.c.status == sa.bindparam("was_status"),
            _jobs.c.attempts == sa.bindparam("was_attempts"),
        )
        .values({name: sa.bindparam(f"v_{name}") for name in sorted(columns)})
    )


class SqlJobRepository(SqlRepository, JobRepository):
    """Jobs one row at a time; `save` writes only the changed columns, and only if the row
    still has the status and attempt count it was loaded with."""

    def __init__(self, connection: sa.Connection, loaded: LoadedJobs) -> None:
        super().__init__(connection)
        self._loaded = loaded

    def get(self, job_id: int) -> Job:
        """The job with this id, or NotFound."""
        row = self._connection.execute(_by_id(), {"job": job_id}).one_or_none()
        if row is None:
            raise NotFound("job", job_id)
        job = job_from_row(row)
        self._loaded.remember(job)
        return job

    def save(self, job: Job) -> None:
        """Write the job's changes; StaleAggregate if its row moved on since it was loaded."""
        before = self._loaded.get(job)
        if before is None or job.id is None:
            raise ValueError("save() takes a job loaded through this unit of work")
        changed = job_changes(job, before)
        if not changed:
            return
        params = {f"v_{name}": value for name, value in changed.items()}
        params.update(job=job.id, was_status=before["status"], was_attempts=before["attempts"])
        statement = _guarded_update(frozenset(changed))
        if self._connection.execute(statement, params).rowcount != 1:
            raise StaleAggregate(f"job {job.id} was changed since it was loaded")
        self._loaded.remember(job)
