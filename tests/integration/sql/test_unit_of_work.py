"""The SQL unit of work: one transaction per block, rollback, one-statement mode."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.tables import generation_jobs
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.domain.errors import NotFound
from genmedia.domain.status import Status
from tests.integration.sql.helpers import HOUR, NOW, _add_request, _owner, _user

pytestmark = pytest.mark.integration


def test_a_unit_of_work_left_without_commit_rolls_back(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.users.add(_user())
    with SqlUnitOfWork(engine) as uow:
        assert uow.users.get_by_email("ada@example.com") is None


def test_an_error_inside_the_block_rolls_back_and_propagates(engine: sa.Engine) -> None:
    def fail_midway() -> None:
        with SqlUnitOfWork(engine) as uow:
            uow.users.add(_user())
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_midway()
    with SqlUnitOfWork(engine) as uow:
        assert uow.users.get_by_email("ada@example.com") is None


def test_one_unit_of_work_runs_a_fresh_transaction_per_block(engine: sa.Engine) -> None:
    uow = SqlUnitOfWork(engine)
    with uow:
        uow.users.add(_user())
        uow.commit()
    with uow:
        uow.users.add(_user("bob@example.com"))
    with uow:
        assert uow.users.get_by_email("ada@example.com") is not None
        assert uow.users.get_by_email("bob@example.com") is None


def test_work_after_a_commit_needs_another_commit(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.users.add(_user())
        uow.commit()
        uow.users.add(_user("bob@example.com"))
    with SqlUnitOfWork(engine) as uow:
        assert uow.users.get_by_email("ada@example.com") is not None
        assert uow.users.get_by_email("bob@example.com") is None


def test_missing_rows_are_not_found(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        for lookup in (
            uow.users.get,
            uow.features.get,
            uow.templates.get,
            uow.provider_models.get,
            uow.requests.get,
            uow.requests.get_by_job,
            uow.media.get,
        ):
            with pytest.raises(NotFound):
                lookup(404)
        assert uow.templates.get_by_slug("nope") is None
        assert uow.provider_models.get_by_slug("nope") is None
        assert uow.tags.get_by_name("nope") is None
        assert uow.features.get_by_name("nope") is None


def test_a_one_statement_unit_of_work_writes_its_statement_without_a_commit_round_trip(
    clean_postgres_engine: sa.Engine,
) -> None:
    engine = clean_postgres_engine
    request = _add_request(engine, _owner(engine))
    job_id = request.jobs[0].id or 0
    uow = SqlUnitOfWork(engine)
    with uow.one_statement():
        [job] = uow.jobs.claim([job_id], "w1", NOW, HOUR)
        # autocommit: the claim is visible to others before the block ends
        with engine.connect() as other:
            status = other.execute(
                sa.select(generation_jobs.c.status).where(generation_jobs.c.id == job_id)
            ).scalar_one()
        assert status == Status.PROCESSING
        uow.commit()
    assert job.status is Status.PROCESSING


def test_a_one_statement_unit_of_work_refuses_a_second_statement(
    clean_postgres_engine: sa.Engine,
) -> None:
    engine = clean_postgres_engine
    request = _add_request(engine, _owner(engine))
    uow = SqlUnitOfWork(engine)

    def claim_then_read() -> None:
        with uow.one_statement():
            uow.jobs.claim([request.jobs[0].id or 0], "w1", NOW, HOUR)
            uow.jobs.get(request.jobs[1].id or 0)

    with pytest.raises(RuntimeError, match="second statement"):
        claim_then_read()
    with uow:  # the next block of the same unit is a plain transaction again
        assert uow.jobs.get(request.jobs[1].id or 0).status is Status.PENDING
        uow.users.add(_user("bob@example.com"))
    with SqlUnitOfWork(engine) as fresh:
        assert fresh.users.get_by_email("bob@example.com") is None
