"""Jobs in SQL, saved with a guard on the status and attempt they were loaded at."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository
from genmedia.adapters.sql.repositories.generation import job_statements as statements
from genmedia.adapters.sql.repositories.generation.rows import (
    LoadedJobs,
    job_changes,
    job_from_row,
    job_row,
)
from genmedia.adapters.sql.repositories.unnest import arrays, as_arrays, on_postgresql
from genmedia.application.errors import StaleAggregate
from genmedia.application.ports import JobRepository
from genmedia.domain.errors import NotFound
from genmedia.domain.job import Job
from genmedia.domain.status import Status

_Params = dict[str, Any]


class SqlJobRepository(SqlRepository, JobRepository):
    """Jobs without their request; `save_all` writes only the changed columns, and only while
    each row still has the status, lease and worker it was loaded with."""

    def __init__(self, connection: sa.Connection, loaded: LoadedJobs) -> None:
        super().__init__(connection)
        self._loaded = loaded

    def get(self, job_id: int) -> Job:
        """The job with this id, or NotFound."""
        row = self._connection.execute(statements.by_id(), {"job": job_id}).one_or_none()
        if row is None:
            raise NotFound("job", job_id)
        return self._remembered(row)

    def lock(self, job_ids: Collection[int]) -> list[Job]:
        """Those of these jobs that exist, in id order, locked (FOR NO KEY UPDATE)."""
        if not job_ids:
            return []
        rows = self._connection.execute(statements.lock(), {"jobs": sorted(set(job_ids))})
        return [self._remembered(row) for row in rows]

    def find(self, job_ids: Collection[int]) -> list[Job]:
        """Those of these jobs that exist, in id order, not locked."""
        if not job_ids:
            return []
        rows = self._connection.execute(statements.by_ids(), {"jobs": sorted(set(job_ids))})
        return [self._remembered(row) for row in rows]

    def running_on_task(self, task_id: str) -> list[Job]:
        """The running jobs recorded with this provider task id, in id order, not locked."""
        rows = self._connection.execute(statements.running_on_task(), {"task": task_id})
        return [self._remembered(row) for row in rows]

    def claim(
        self, job_ids: Collection[int], worker_id: str, now: datetime, timeout: timedelta
    ) -> list[Job]:
        """What `JobClaims.claim` does, in this transaction: on PostgreSQL in one statement
        (`job_statements.claim`); elsewhere by locking, `Job.claim`, a guarded save and a
        guarded start of the requests."""
        ids = sorted(set(job_ids))
        if not ids:
            return []
        if not on_postgresql(self._connection):
            return self._claim_in_steps(ids, worker_id, now, timeout)
        params = {"jobs": ids, "worker": worker_id, "now": now, "timeout": timeout}
        return [
            self._remembered(row) for row in self._connection.execute(statements.claim(), params)
        ]

    def _claim_in_steps(
        self, ids: list[int], worker_id: str, now: datetime, timeout: timedelta
    ) -> list[Job]:
        jobs = [job for job in self.lock(ids) if job.status is Status.PENDING]
        for job in jobs:
            job.claim(worker_id, now, timeout)
        self.save_all(jobs)
        if jobs:
            requests = sorted({job.request_id or 0 for job in jobs})
            self._connection.execute(statements.start(), {"requests": requests})
        return jobs

    def begin(
        self, runs: Collection[tuple[int, int]], worker_id: str, now: datetime
    ) -> dict[int, bool]:
        """What `JobClaims.begin` does, in this transaction: on PostgreSQL in one statement
        (`job_statements.begin`); elsewhere by locking, `Job.begin` and a guarded save."""
        given = sorted(set(runs))
        if not given:
            return {}
        if not on_postgresql(self._connection):
            return self._begin_in_steps(set(given), worker_id, now)
        params = {
            "job": [job_id for job_id, _ in given],
            "run_lease": [lease for _, lease in given],
            "worker": worker_id,
            "now": now,
        }
        rows = self._connection.execute(statements.begin(), params)
        return {row.id: row.cancel_requested for row in rows}

    def _begin_in_steps(
        self, runs: set[tuple[int, int]], worker_id: str, now: datetime
    ) -> dict[int, bool]:
        locked = self.lock({job_id for job_id, _ in runs})
        jobs = [
            job
            for job in locked
            if (job.id, job.lease) in runs and job.awaits_call(job.lease, worker_id)
        ]
        begun = [job for job in jobs if not job.cancel_requested]
        for job in begun:
            job.begin(now)
        self.save_all(begun)
        return {job.id or 0: job.cancel_requested for job in jobs}

    def save_completed(self, jobs: Sequence[Job]) -> list[Job]:
        """Write the completed jobs' outcome where each still runs the lease it ran under: on
        PostgreSQL one statement for them all, which also locks their requests; elsewhere
        one guarded UPDATE each, in id order (SQLite's writer holds the database). The jobs
        written."""
        given = sorted(jobs, key=lambda job: (job.id or 0, job.lease))
        rows = [_outcome(job) for job in given]
        if not rows:
            return []
        if on_postgresql(self._connection):
            result = self._connection.execute(statements.complete(), arrays(rows, list(rows[0])))
            written = {(row.id, row.lease) for row in result}
            return [job for job in given if (job.id, job.lease) in written]
        complete_one = statements.complete_one()
        return [
            job
            for job, row in zip(given, rows, strict=True)
            if self._connection.execute(complete_one, row).rowcount == 1
        ]

    def save_all(self, jobs: Sequence[Job]) -> None:
        """Write the jobs' changes, one statement per set of changed columns; StaleAggregate
        if any row moved on since it was loaded."""
        groups: dict[frozenset[str], list[_Params]] = defaultdict(list)
        for job in jobs:
            columns, params = self._changes(job)
            if columns:
                groups[columns].append(params)
        for columns, rows in groups.items():
            if self._update(columns, rows) != len(rows):
                raise StaleAggregate("a job was changed since it was loaded")
        for job in jobs:
            self._loaded.remember(job)

    def _changes(self, job: Job) -> tuple[frozenset[str], _Params]:
        """The job's changed columns, and the parameters that write them where its row is
        still as loaded."""
        before = self._loaded.get(job)
        if before is None or job.id is None:
            raise ValueError("save_all() takes jobs loaded through this unit of work")
        changed = job_changes(job, before)
        guard = {
            "job": job.id,
            "was_status": before["status"],
            "was_lease": before["lease"],
            "was_worker": before["worker_id"],
        }
        return frozenset(changed), {f"v_{name}": value for name, value in changed.items()} | guard

    def _update(self, columns: frozenset[str], rows: list[_Params]) -> int:
        """Run the guarded UPDATE of these columns for these rows; how many it wrote."""
        if as_arrays(self._connection, rows):
            statement = statements.guarded_update_unnested(columns)
            return self._connection.execute(statement, arrays(rows, list(rows[0]))).rowcount
        return self._connection.execute(statements.guarded_update(columns), rows).rowcount

    def _remembered(self, row: sa.Row[Any]) -> Job:
        job = job_from_row(row)
        self._loaded.remember(job)
        return job


def _outcome(job: Job) -> _Params:
    """The bound parameters that write a completed job's outcome, guarded by its lease."""
    if job.id is None or job.status is not Status.COMPLETED:
        raise ValueError("save_completed() takes stored jobs that Job.complete moved on")
    columns = job_row(job)
    outcome = {f"v_{name}": columns[name] for name in statements.OUTCOME}
    return {"job": job.id, "was_lease": job.lease, **outcome}
