"""Generation requests with their jobs in SQL, saved with optimistic guards."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository, without_none
from genmedia.adapters.sql.repositories.generation import request_statements as statements
from genmedia.adapters.sql.repositories.generation.rows import (
    Loaded,
    LoadedRequests,
    job_from_row,
    new_job_row,
    request_from_row,
    request_row,
)
from genmedia.adapters.sql.repositories.pages import keyset
from genmedia.adapters.sql.repositories.unnest import as_arrays, insert_all
from genmedia.adapters.sql.tables import generation_jobs, generation_requests
from genmedia.application.errors import StaleAggregate
from genmedia.application.ports import RequestRepository
from genmedia.domain.errors import NotFound
from genmedia.domain.job import Job
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Progress, Status, request_progress

_requests = generation_requests
_jobs = generation_jobs
_JobStates = defaultdict[int, list[tuple[Status, int]]]


class SqlRequestRepository(SqlRepository, RequestRepository):
    """Requests loaded with all their jobs; `save` writes only what nobody changed meanwhile.

    Every transaction that writes both locks the job rows first (in id order) and the
    request row last, so writers of one request cannot deadlock each other.
    """

    def __init__(self, connection: sa.Connection, loaded: LoadedRequests) -> None:
        super().__init__(connection)
        self._loaded = loaded

    def add(self, request: GenerationRequest) -> GenerationRequest:
        """Insert a request and its jobs, giving each its id."""
        values = without_none(
            {**request_row(request), "created_at": request.created_at}, "created_at"
        )
        row = self._connection.execute(statements.insert(), values).one()
        request.stored_as(row.id, created_at=row.created_at, updated_at=row.updated_at)
        self._insert_jobs(row.id, request.jobs)
        self._loaded.remember(request, row.version)
        return request

    def get(self, request_id: int, *, for_update: bool = False) -> GenerationRequest:
        """The request with this id and all its jobs, or NotFound; locked if `for_update`."""
        if for_update:
            self._lock_jobs(_jobs.c.request_id == request_id)
        query = sa.select(_requests).where(_requests.c.id == request_id)
        found = self._load(query.with_for_update(key_share=True) if for_update else query)
        if not found:
            raise NotFound("request", request_id)
        return found[0]

    def get_by_job(self, job_id: int, *, for_update: bool = False) -> GenerationRequest:
        """The request that owns this job, or NotFound; locked if `for_update`."""
        owner = sa.select(_jobs.c.request_id).where(_jobs.c.id == job_id).scalar_subquery()
        if for_update:
            self._lock_jobs(_jobs.c.request_id == owner)
        query = sa.select(_requests).where(_requests.c.id == owner)
        found = self._load(query.with_for_update(key_share=True) if for_update else query)
        if not found:
            raise NotFound("job", job_id)
        return found[0]

    def list_for_user(
        self,
        user_id: int,
        *,
        status: Status | None = None,
        before_id: int | None = None,
        limit: int = 20,
        archived: bool = False,
    ) -> list[GenerationRequest]:
        """The user's live requests, archived or not, optionally in one status, by id
        descending."""
        stamp = _requests.c.archived_at
        query = sa.select(_requests).where(
            _requests.c.user_id == user_id,
            _requests.c.deleted_at.is_(None),
            stamp.is_not(None) if archived else stamp.is_(None),
        )
        if status is not None:
            query = query.where(_requests.c.status == status)
        after = None if before_id is None else (before_id,)
        return self._load(keyset(query, ((_requests.c.id, True),), after, limit))

    def list_for_batches(self, batch_ids: Collection[int]) -> list[GenerationRequest]:
        """The requests of these batches with their jobs, deleted or not, by id."""
        if not batch_ids:
            return []
        query = sa.select(_requests).where(_requests.c.batch_id.in_(sorted(set(batch_ids))))
        return self._load(query.order_by(_requests.c.id))

    def save(self, request: GenerationRequest) -> None:
        """Write back a loaded request; StaleAggregate if someone else changed it meanwhile."""
        loaded = self._loaded.get(request)
        if loaded is None or request.id is None:
            raise ValueError("save() takes a request loaded or added through this unit of work")
        with self._connection.begin_nested():
            for job in request.jobs:
                self._write_job(request.id, job, loaded)
            self._update_request(request, loaded.version)
            request.follow(self._follow([request.id], locked=False)[request.id])
        self._loaded.remember(request, loaded.version + 1)

    def follow_all(
        self, request_ids: Collection[int], *, locked: bool = False
    ) -> dict[int, Status]:
        """Lock the requests in id order (unless `locked`), read their jobs' statuses and
        write the progress `request_progress` gives them where that changes anything; the
        statuses."""
        return {rid: now.status for rid, now in self._follow(request_ids, locked).items()}

    def _follow(self, request_ids: Collection[int], locked: bool) -> dict[int, Progress]:
        ids = sorted(set(request_ids))
        if not ids:
            return {}
        current, jobs = self._read_locked(ids) if locked else self._lock_and_read(ids)
        missing = set(ids) - set(current)
        if missing:
            raise NotFound("request", min(missing))
        progress = {rid: request_progress(current[rid].status, jobs[rid]) for rid in ids}
        self._write_progress({rid: now for rid, now in progress.items() if now != current[rid]})
        return progress

    def _write_progress(self, changed: dict[int, Progress]) -> None:
        rows = [
            {"request": rid, "status": now.status, "charged": now.credits_charged}
            for rid, now in changed.items()
        ]
        if rows:
            self._connection.execute(statements.follow(), rows)

    def _read_locked(self, ids: list[int]) -> tuple[dict[int, Progress], _JobStates]:
        """The requests and their jobs in one statement: locked already, its snapshot is
        taken after the locks were, so it sees every sibling job a competitor wrote."""
        current: dict[int, Progress] = {}
        jobs = _JobStates(list)
        for row in self._connection.execute(statements.with_job_states(), {"requests": ids}):
            current[row.id] = Progress(Status(row.status), row.credits_charged)
            if row.job_status is not None:
                jobs[row.id].append((Status(row.job_status), row.credits_used or 0))
        return current, jobs

    def _lock_and_read(self, ids: list[int]) -> tuple[dict[int, Progress], _JobStates]:
        rows = self._connection.execute(statements.lock(), {"requests": ids})
        current = {row.id: Progress(Status(row.status), row.credits_charged) for row in rows}
        jobs = _JobStates(list)
        for row in self._connection.execute(statements.job_states(), {"requests": ids}):
            jobs[row.request_id].append((Status(row.status), row.credits_used))
        return current, jobs

    def _lock_jobs(self, which: sa.ColumnElement[bool]) -> None:
        self._connection.execute(statements.lock_jobs(which))

    def _update_request(self, request: GenerationRequest, version: int) -> None:
        statement = (
            sa.update(_requests)
            .where(_requests.c.id == request.id, _requests.c.version == version)
            .values({**request_row(request), "version": _requests.c.version + 1})
            .returning(_requests.c.updated_at)
        )
        updated_at = self._connection.execute(statement).scalar_one_or_none()
        if updated_at is None:
            raise StaleAggregate(f"request {request.id} was changed since it was loaded")
        request.stored_as(request.id or 0, updated_at=updated_at)

    def _write_job(self, request_id: int, job: Job, loaded: Loaded) -> None:
        if job.id is None:
            self._insert_jobs(request_id, [job])
            return
        changed, before = loaded.changes(job)
        if before is None:
            raise StaleAggregate(f"job {job.id} was not loaded with request {request_id}")
        if changed:
            self._update_job(job.id, changed, before)

    def _update_job(self, job_id: int, changed: dict[str, Any], before: dict[str, Any]) -> None:
        statement = (
            sa.update(_jobs)
            .where(
                _jobs.c.id == job_id,
                _jobs.c.status == before["status"],
                _jobs.c.lease == before["lease"],
                _jobs.c.worker_id.is_not_distinct_from(before["worker_id"]),
            )
            .values(changed)
        )
        if self._connection.execute(statement).rowcount != 1:
            raise StaleAggregate(f"job {job_id} was changed since it was loaded")

    def _insert_jobs(self, request_id: int, jobs: list[Job]) -> None:
        if not jobs:
            return
        values = [new_job_row(request_id, job) for job in jobs]
        if as_arrays(self._connection, values):
            rows = insert_all(self._connection, _jobs, values)
        else:
            statement = sa.insert(_jobs).returning(
                _jobs.c.id, _jobs.c.created_at, sort_by_parameter_order=True
            )
            rows = list(self._connection.execute(statement, values).all())
        for job, row in zip(jobs, rows, strict=True):
            job.stored_as(row.id, request_id=request_id, created_at=row.created_at)

    def _load(self, query: sa.Select[Any]) -> list[GenerationRequest]:
        rows = self._all(query)
        jobs: dict[int, list[Job]] = defaultdict(list)
        if rows:
            job_query = sa.select(_jobs).where(_jobs.c.request_id.in_([r.id for r in rows]))
            for job_row in self._all(job_query.order_by(_jobs.c.request_id, _jobs.c.job_index)):
                jobs[job_row.request_id].append(job_from_row(job_row))
        found = [request_from_row(row, jobs[row.id]) for row in rows]
        for request, row in zip(found, rows, strict=True):
            self._loaded.remember(request, row.version)
        return found
