"""Reads of a request with its jobs see one snapshot (PostgreSQL: REPEATABLE READ)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.tables import generation_jobs
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.domain.status import Status
from tests.integration.test_dispatch_sql import jobs_for, user, world

pytestmark = pytest.mark.integration


def _finish_elsewhere(engine: sa.Engine, job_ids: list[int]) -> None:
    finished = generation_jobs.c.id.in_(job_ids)
    with engine.begin() as connection:
        connection.execute(sa.update(generation_jobs).where(finished).values(status="cancelled"))


def test_a_read_snapshot_sees_a_request_and_its_jobs_as_of_one_moment(
    clean_postgres_engine: sa.Engine,
) -> None:
    engine = world(clean_postgres_engine)
    job_ids = jobs_for(engine, user(engine, "snap@x.io"), 2)
    uow = SqlUnitOfWork(engine)
    with uow:
        uow.read_snapshot()
        request_id = uow.jobs.get(job_ids[0]).request_id or 0
        _finish_elsewhere(engine, job_ids)  # committed between this block's two reads
        seen = uow.requests.get(request_id)
    assert {job.status for job in seen.jobs} == {Status.PENDING}
    with uow:
        assert {job.status for job in uow.requests.get(request_id).jobs} == {Status.CANCELLED}


def test_a_read_snapshot_refuses_writes(clean_postgres_engine: sa.Engine) -> None:
    engine = world(clean_postgres_engine)
    (job_id,) = jobs_for(engine, user(engine, "ro@x.io"), 1)
    uow = SqlUnitOfWork(engine)
    with uow:
        uow.read_snapshot()
        job = uow.jobs.get(job_id)
        job.request_cancel()
        with pytest.raises(sa.exc.InternalError, match="read-only transaction"):
            uow.jobs.save(job)
