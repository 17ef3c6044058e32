"""The statements of generation requests, built once on first use and bound per call."""

from __future__ import annotations

import functools

import sqlalchemy as sa

from genmedia.adapters.sql.tables import generation_jobs, generation_requests

_requests = generation_requests
_jobs = generation_jobs
_ids = functools.partial(sa.bindparam, "requests", expanding=True)


@functools.cache
def insert() -> sa.Insert:
    """INSERT of a request, its columns those of the parameters it is run with."""
    returned = (_requests.c.id, _requests.c.version, _requests.c.created_at, _requests.c.updated_at)
    return sa.insert(_requests).returning(*returned)


@functools.cache
def lock() -> sa.Select[tuple[int, str, int]]:
    """The status and charge of the :requests, locked in id order."""
    return (
        sa.select(_requests.c.id, _requests.c.status, _requests.c.credits_charged)
        .where(_requests.c.id.in_(_ids()))
        .order_by(_requests.c.id)
        .with_for_update(key_share=True)
    )


@functools.cache
def job_states() -> sa.Select[tuple[int, str, int]]:
    """The status and credits used of the jobs of the :requests."""
    return sa.select(_jobs.c.request_id, _jobs.c.status, _jobs.c.credits_used).where(
        _jobs.c.request_id.in_(_ids())
    )


@functools.cache
def with_job_states() -> sa.Select[tuple[int, str, int, str | None, int | None]]:
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
def follow() -> sa.Update:
    """Write the :status and :charged the domain gave the :request."""
    return (
        sa.update(_requests)
        .where(_requests.c.id == sa.bindparam("request"))
        .values(status=sa.bindparam("status"), credits_charged=sa.bindparam("charged"))
    )


def lock_jobs(which: sa.ColumnElement[bool]) -> sa.Select[tuple[int]]:
    """The ids of the jobs `which` selects, locked in id order."""
    return sa.select(_jobs.c.id).where(which).order_by(_jobs.c.id).with_for_update(key_share=True)
