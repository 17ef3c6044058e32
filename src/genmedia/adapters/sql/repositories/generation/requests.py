"""Generation requests with their jobs in SQL, saved with optimistic guards."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository, without_none
from genmedia.adapters.sql.repositories.generation.rows import (
    Loaded,
    LoadedRequests,
    job_from_row,
    new_job_row,
    request_from_row,
    request_row,
)
from genmedia.adapters.sql.repositories.unnest import as_arrays, insert_all
from genmedia.adapters.sql.tables import generation_jobs, generation_requests
from genmedia.application.errors import StaleAggregate
from genmedia.application.ports import RequestRepository
from genmedia.domain.errors import NotFound
from genmedia.domain.job import Job
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status, request_status

_requests = generation_requests
_jobs = generation_jobs
_ids = functools.partial(sa.bindparam, "requests", expanding=True)


@functools.cache
def _insert() -> sa.Insert:
    """INSERT of a request, its columns those of the parameters it is run with."""
    returned = (_requests.c.id, _requests.c.version, _requests.c.created_at, _requests.c.updated_at)
    return sa.insert(_requests).returning(*returned)


@functools.cache
def _lock() -> sa.Select[tuple[int, str, int]]:
    return (
        sa.select(_requests.c.id, _requests.c.status, _requests.c.credits_charged)
        .where(_requests.c.id.in_(_ids()))
        .order_by(_requests.c.id)
        .with_for_update(key_share=True)
    )


@functools.cache
def _job_states() -> sa.Select[tuple[int, str, int]]:
    return sa.select(_jobs.c.request_id, _jobs.c.status, _jobs.c.credits_used).where(
        _jobs.c.request_id.in_(_ids())
    )


@functools.cache
def _with_job_states() -> sa.Select[tuple[int, str, int, str | None, int | None]]:
    """The requests' rows with their jobs' statuses and charges, a row per job (the request
    alone if it has none)."""
    return (
        sa.select(
            _requests.c.id,
            _requests.c.status,
            _requests.c.credits_charged,
            _jobs.c.status.label("job_status"),
            _jobs.c.credits_used,
        )
        .select_from(_requests)
        .outerjoin(_jobs, _jobs.c.request_id == _requests.c.id)
        .where(_requests.c.id.in_(_ids()))
    )


@functools.cache
def _follow() -> sa.Update:
    return (
        sa.update(_requests)
        .where(_requests.c.id == sa.bindparam("request"))
        .values(status=sa.bindparam("status"), credits_charged=sa.bindparam("charged"))
    )


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
        row = self._connection.execute(_insert(), values).one()
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

    def list_for_user(self, user_id: int, limit: int = 20) -> list[GenerationRequest]:
        """The user's live requests, newest first."""
        query = sa.select(_requests).where(
            _requests.c.user_id == user_id, _requests.c.deleted_at.is_(None)
        )
        order = (_requests.c.created_at.desc(), _requests.c.id.desc())
        return self._load(query.order_by(*order).limit(limit))

    def save(self, request: GenerationRequest) -> None:
        """Write back a loaded request; StaleAggregate if someone else changed it meanwhile."""
        loaded = self._loaded.get(request)
        if loaded is None or request.id is None:
            raise ValueError("save() takes a request loaded or added through this unit of work")
        with self._connection.begin_nested():
            for job in request.jobs:
                self._write_job(request.id, job, loaded)
            self._update_request(request, loaded.version)
            request.status = self.follow_jobs(request.id)
        self._loaded.remember(request, loaded.version + 1)

    def follow_all(
        self, request_ids: Collection[int], *, locked: bool = False
    ) -> dict[int, Status]:
        """Lock the requests in id order (unless `locked`), read their jobs' statuses and
        write the status and charge they imply where that changes anything; the statuses.

        Locked already, the requests and their jobs are read in one statement: its snapshot
        is taken after the locks were, so it sees every sibling job a competitor wrote."""
        ids = sorted(set(request_ids))
        if not ids:
            return {}
        current: dict[int, tuple[str, int]] = {}
        jobs: dict[int, list[tuple[Status, int]]] = defaultdict(list)
        if locked:
            for row in self._connection.execute(_with_job_states(), {"requests": ids}):
                current[row.id] = (row.status, row.credits_charged)
                if row.job_status is not None:
                    jobs[row.id].append((Status(row.job_status), row.credits_used or 0))
        else:
            for lock in self._connection.execute(_lock(), {"requests": ids}):
                current[lock.id] = (lock.status, lock.credits_charged)
            for state in self._connection.execute(_job_states(), {"requests": ids}):
                jobs[state.request_id].append((Status(state.status), state.credits_used))
        missing = set(ids) - set(current)
        if missing:
            raise NotFound("request", min(missing))
        statuses, changes = {}, []
        for request_id in ids:
            was, was_charged = Status(current[request_id][0]), current[request_id][1]
            states = jobs[request_id]
            status = request_status((s for s, _ in states), started=was is not Status.PENDING)
            charged = sum(credits for s, credits in states if s is Status.COMPLETED)
            if (status, charged) != (was, was_charged):
                changes.append({"request": request_id, "status": status, "charged": charged})
            statuses[request_id] = status
        if changes:
            self._connection.execute(_follow(), changes)
        return statuses

    def _lock_jobs(self, which: sa.ColumnElement[bool]) -> None:
        self._connection.execute(
            sa.select(_jobs.c.id).where(which).order_by(_jobs.c.id).with_for_update(key_share=True)
        )

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
                _jobs.c.attempts == before["attempts"],
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
