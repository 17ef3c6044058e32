"""Jobs in SQL, saved with a guard on the status and attempt they were loaded at."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository
from genmedia.adapters.sql.repositories.generation.rows import LoadedJobs, job_changes, job_from_row
from genmedia.adapters.sql.repositories.unnest import (
    arrays,
    as_arrays,
    on_postgresql,
    unnested,
)
from genmedia.adapters.sql.tables import generation_jobs, generation_requests
from genmedia.application.errors import StaleAggregate
from genmedia.application.ports import JobRepository
from genmedia.domain.errors import NotFound
from genmedia.domain.job import Job
from genmedia.domain.status import Status

_jobs = generation_jobs
_requests = generation_requests


@functools.cache
def _by_id() -> sa.Select[tuple[object, ...]]:
    return sa.select(_jobs).where(_jobs.c.id == sa.bindparam("job"))


@functools.cache
def _locked() -> sa.Select[tuple[object, ...]]:
    return (
        sa.select(_jobs)
        .where(_jobs.c.id.in_(sa.bindparam("jobs", expanding=True)))
        .order_by(_jobs.c.id)
        .with_for_update(key_share=True)
    )


@functools.cache
def _claim() -> sa.Select[tuple[object, ...]]:
    """`Job.claim` and the start of the jobs' requests in one statement: lock the pending
    jobs in id order and update them, then lock their pending requests in id order and
    start them."""
    pending = _jobs.c.status == Status.PENDING
    locked = (
        sa.select(_jobs.c.id)
        .where(_jobs.c.id.in_(sa.bindparam("jobs", expanding=True)), pending)
        .order_by(_jobs.c.id)
        .with_for_update(key_share=True)
        .cte("locked")
    )
    timeout = sa.bindparam("timeout", type_=sa.Interval())
    claimed = (
        sa.update(_jobs)
        .where(_jobs.c.id == locked.c.id, pending)
        .values(
            status=Status.PROCESSING,
            worker_id=sa.bindparam("worker"),
            started_at=sa.bindparam("now"),
            attempts=_jobs.c.attempts + 1,
            deadline_at=sa.func.coalesce(_jobs.c.deadline_at, _jobs.c.created_at + timeout),
        )
        .returning(*_jobs.c)
        .cte("claimed")
    )
    waiting = _requests.c.status == Status.PENDING
    requests = (
        sa.select(_requests.c.id)
        .where(_requests.c.id.in_(sa.select(claimed.c.request_id)), waiting)
        .order_by(_requests.c.id)
        .with_for_update(key_share=True)
        .cte("requests")
    )
    started = (
        sa.update(_requests)
        .where(_requests.c.id == requests.c.id, waiting)
        .values(status=Status.PROCESSING)
        .cte("started")
    )
    return sa.select(claimed).add_cte(started).order_by(claimed.c.id)


@functools.cache
def _start() -> sa.Update:
    return (
        sa.update(_requests)
        .where(
            _requests.c.id.in_(sa.bindparam("requests", expanding=True)),
            _requests.c.status == Status.PENDING,
        )
        .values(status=Status.PROCESSING)
    )


# What `Job.complete` changes; `save_completed` writes these and nothing else.
_OUTCOME = (
    "status", "completed_at", "output_metadata", "credits_used", "provider_cost",
    "error_code", "error_message",
)  # fmt: skip


@functools.cache
def _complete() -> sa.Select[tuple[int, int, int]]:
    """`save_completed` from arrays (PostgreSQL): lock the rows still processing the given
    attempt in id order, write their outcome, then lock their requests in id order; the
    ids and attempts written."""
    fields = {"job": "id", "was_attempts": "attempts"} | {f"v_{name}": name for name in _OUTCOME}
    given = sa.select(unnested(_jobs, fields)).cte("given")
    running = sa.and_(
        _jobs.c.id == given.c.job,
        _jobs.c.attempts == given.c.was_attempts,
        _jobs.c.status == Status.PROCESSING,
    )
    locked = (
        sa.select(_jobs.c.id)
        .join(given, running)
        .order_by(_jobs.c.id)
        .with_for_update(of=_jobs, key_share=True)
        .cte("locked")
    )
    completed = (
        sa.update(_jobs)
        .where(_jobs.c.id == locked.c.id, running)
        .values({name: given.c[f"v_{name}"] for name in _OUTCOME})
        .returning(_jobs.c.id, _jobs.c.attempts, _jobs.c.request_id)
        .cte("completed")
    )
    requests = (
        sa.select(_requests.c.id)
        .where(_requests.c.id.in_(sa.select(completed.c.request_id)))
        .order_by(_requests.c.id)
        .with_for_update(key_share=True)
        .cte("requests")
    )
    # Read by the main query: a plain SELECT in WITH runs only if something reads it.
    requests_locked = sa.select(sa.func.count()).select_from(requests).scalar_subquery()
    return sa.select(completed.c.id, completed.c.attempts, requests_locked.label("requests"))


@functools.cache
def _complete_one() -> sa.Update:
    """`save_completed` of one job: its outcome, where it still runs the given attempt."""
    return (
        sa.update(_jobs)
        .where(
            _jobs.c.id == sa.bindparam("job"),
            _jobs.c.attempts == sa.bindparam("was_attempts"),
            _jobs.c.status == Status.PROCESSING,
        )
        .values({name: sa.bindparam(f"v_{name}") for name in _OUTCOME})
    )


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


@functools.lru_cache(maxsize=64)
def _guarded_update_unnested(columns: frozenset[str]) -> sa.Update:
    """`_guarded_update` of many rows from arrays (PostgreSQL): same names, one statement."""
    fields = {"job": "id", "was_status": "status", "was_attempts": "attempts"}
    given = unnested(_jobs, fields | {f"v_{name}": name for name in sorted(columns)})
    return (
        sa.update(_jobs)
        .where(
            _jobs.c.id == given.c.job,
            _jobs.c.status == given.c.was_status,
            _jobs.c.attempts == given.c.was_attempts,
        )
        .values({name: given.c[f"v_{name}"] for name in sorted(columns)})
    )


class SqlJobRepository(SqlRepository, JobRepository):
    """Jobs without their request; `save_all` writes only the changed columns, and only while
    each row still has the status and attempt count it was loaded with."""

    def __init__(self, connection: sa.Connection, loaded: LoadedJobs) -> None:
        super().__init__(connection)
        self._loaded = loaded

    def get(self, job_id: int) -> Job:
        """The job with this id, or NotFound."""
        row = self._connection.execute(_by_id(), {"job": job_id}).one_or_none()
        if row is None:
            raise NotFound("job", job_id)
        return self._remembered(row)

    def lock(self, job_ids: Collection[int]) -> list[Job]:
        """Those of these jobs that exist, in id order, locked (FOR NO KEY UPDATE)."""
        if not job_ids:
            return []
        rows = self._connection.execute(_locked(), {"jobs": sorted(set(job_ids))})
        return [self._remembered(row) for row in rows]

    def claim(
        self, job_ids: Collection[int], worker_id: str, now: datetime, timeout: timedelta
    ) -> list[Job]:
        """`Job.claim` the pending ones of these jobs and start their requests: on PostgreSQL
        in one statement, which writes what `Job.claim` would (a test holds the two
        together); elsewhere by locking, claiming in the domain, a guarded save and an
        UPDATE of the requests."""
        ids = sorted(set(job_ids))
        if not ids:
            return []
        if on_postgresql(self._connection):
            params = {"jobs": ids, "worker": worker_id, "now": now, "timeout": timeout}
            return [self._remembered(row) for row in self._connection.execute(_claim(), params)]
        jobs = [job for job in self.lock(ids) if job.status is Status.PENDING]
        for job in jobs:
            job.claim(worker_id, now, timeout)
        self.save_all(jobs)
        if jobs:
            requests = sorted({job.request_id or 0 for job in jobs})
            self._connection.execute(_start(), {"requests": requests})
        return jobs

    def save_completed(self, jobs: Sequence[Job]) -> list[Job]:
        """Write the completed jobs' outcome where each still runs the attempt it ran: on
        PostgreSQL one statement for them all, which also locks their requests; elsewhere
        one guarded UPDATE each, in id order (SQLite's writer holds the database). The jobs
        written."""
        given = sorted(jobs, key=lambda job: (job.id or 0, job.attempts))
        rows = []
        for job in given:
            if job.id is None or job.status is not Status.COMPLETED:
                raise ValueError("save_completed() takes stored jobs that Job.complete moved on")
            row = {f"v_{name}": getattr(job, name) for name in _OUTCOME}
            rows.append({"job": job.id, "was_attempts": job.attempts, **row})
        if not rows:
            return []
        if on_postgresql(self._connection):
            result = self._connection.execute(_complete(), arrays(rows, list(rows[0])))
            written = {(row.id, row.attempts) for row in result}
            return [job for job in given if (job.id, job.attempts) in written]
        return [
            job
            for job, row in zip(given, rows, strict=True)
            if self._connection.execute(_complete_one(), row).rowcount == 1
        ]

    def save_all(self, jobs: Sequence[Job]) -> None:
        """Write the jobs' changes, one statement per set of changed columns; StaleAggregate
        if any row moved on since it was loaded."""
        groups: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
        for job in jobs:
            before = self._loaded.get(job)
            if before is None or job.id is None:
                raise ValueError("save_all() takes jobs loaded through this unit of work")
            changed = job_changes(job, before)
            if changed:
                params = {f"v_{name}": value for name, value in changed.items()}
                params.update(
                    job=job.id, was_status=before["status"], was_attempts=before["attempts"]
                )
                groups[frozenset(changed)].append(params)
        for columns, rows in groups.items():
            if as_arrays(self._connection, rows):
                statement = _guarded_update_unnested(columns)
                written = self._connection.execute(statement, arrays(rows, list(rows[0]))).rowcount
            else:
                written = self._connection.execute(_guarded_update(columns), rows).rowcount
            if written != len(rows):
                raise StaleAggregate("a job was changed since it was loaded")
        for job in jobs:
            self._loaded.remember(job)

    def _remembered(self, row: sa.Row[Any]) -> Job:
        job = job_from_row(row)
        self._loaded.remember(job)
        return job
