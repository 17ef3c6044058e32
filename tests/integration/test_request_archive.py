"""Archiving old requests on SQLite and PostgreSQL (SPEC GEN-11): the sweep archives exactly
the requests `GenerationRequest.is_archivable` names, and listings leave them out."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.tables import generation_jobs, generation_requests
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.adapters.storage.local import LocalDirectoryStorage
from genmedia.application.generation.queries import list_requests
from genmedia.application.operations.retention import apply_retention
from genmedia.domain.status import Status
from tests.fakes import FakeClock
from tests.integration.test_retention_sql import NOW, _owner, add_request

pytestmark = pytest.mark.integration

STATUSES = (Status.COMPLETED, Status.FAILED, Status.CANCELLED, Status.PROCESSING, Status.PENDING)
AGES = (timedelta(days=120), timedelta(days=90, seconds=1), timedelta(days=89))


def _make(engine: sa.Engine, owner: tuple[int, int], status: Status, age: timedelta) -> int:
    [job_id] = add_request(engine, owner, (status, NOW - age))
    with engine.begin() as connection:
        request_id = connection.execute(
            sa.select(generation_jobs.c.request_id).where(generation_jobs.c.id == job_id)
        ).scalar_one()
        connection.execute(
            sa.update(generation_requests)
            .where(generation_requests.c.id == request_id)
            .values(created_at=NOW - age)
        )
    return int(request_id)


def _archive(engine: sa.Engine, tmp_path: Path) -> int:
    report = apply_retention(
        uow=SqlUnitOfWork(engine),
        storage=LocalDirectoryStorage(tmp_path / "media"),
        clock=FakeClock(NOW),
        job_days=3650,
        media_days=7,
        archive_days=90,
        batch=2,
    )
    return report.requests_archived


def test_the_sweep_archives_exactly_the_requests_the_domain_calls_archivable(
    engine: sa.Engine, tmp_path: Path
) -> None:
    owner = _owner(engine)
    ids = [_make(engine, owner, s, a) for s, a in itertools.product(STATUSES, AGES)]
    deleted = _make(engine, owner, Status.COMPLETED, AGES[0])
    with SqlUnitOfWork(engine) as uow:
        request = uow.requests.get(deleted)
        request.soft_delete(NOW)
        uow.requests.save(request)
        uow.commit()
    before = NOW - timedelta(days=90)
    with SqlUnitOfWork(engine) as uow:
        expected = {i for i in [*ids, deleted] if uow.requests.get(i).is_archivable(before)}
    assert len(expected) == 6

    assert _archive(engine, tmp_path) == len(expected)

    with SqlUnitOfWork(engine) as uow:
        stamps = {i: uow.requests.get(i).archived_at for i in [*ids, deleted]}
    assert {i for i, at in stamps.items() if at is not None} == expected
    assert {stamps[i] for i in expected} == {NOW}
    assert _archive(engine, tmp_path) == 0


def test_archived_requests_leave_the_default_listing_and_are_listed_on_their_own(
    engine: sa.Engine, tmp_path: Path
) -> None:
    owner = _owner(engine)
    old = _make(engine, owner, Status.COMPLETED, AGES[0])
    young = _make(engine, owner, Status.COMPLETED, AGES[2])
    _archive(engine, tmp_path)

    def listed(archived: bool) -> list[int]:
        page = list_requests(owner[0], uow=SqlUnitOfWork(engine), archived=archived)
        return [r.id or 0 for r in page.items]

    assert (listed(False), listed(True)) == ([young], [old])
