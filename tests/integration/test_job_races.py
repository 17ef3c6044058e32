"""Sibling jobs of one request changing at once on PostgreSQL: the request ends consistent."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.tables import generation_media
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.commands import CancelRequest, CreateUser, SubmitRequest
from genmedia.application.execution import StoredOutput, claim_job, complete_job, fail_job
from genmedia.application.generation import cancel_request, submit_request
from genmedia.application.seeding import seed_catalog
from genmedia.application.users import create_user
from genmedia.domain.media import ImageInfo
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status, request_status
from tests.fakes import FakeClock, FakeHasher
from tests.races import race

pytestmark = pytest.mark.integration
INFO = ImageInfo(file_format="png", width=8, height=8, file_size=10, blurhash="L00000")


@pytest.fixture
def engine(postgres_url: str) -> sa.Engine:
    from genmedia.adapters.sql.engine import create_engine

    engine = create_engine(postgres_url, pool_size=20)
    seed_catalog(
        uow=SqlUnitOfWork(engine), hasher=FakeHasher(), clock=FakeClock(), admin_email="a@x.io"
    )
    yield engine
    engine.dispose()


def submitted(engine: sa.Engine, email: str, batch: int) -> GenerationRequest:
    user = create_user(
        CreateUser(email=email),
        uow=SqlUnitOfWork(engine),
        hasher=FakeHasher(),
        clock=FakeClock(),
        welcome_credits=1_000,
    )
    cmd = SubmitRequest(
        user_id=user.id or 0, template="neon-city", input_metadata={"batch_size": batch}
    )
    return submit_request(cmd, uow=SqlUnitOfWork(engine), clock=FakeClock())


def claimed(engine: sa.Engine, job_ids: list[int]) -> None:
    for job_id in job_ids:
        assert claim_job(job_id, "w1", uow=SqlUnitOfWork(engine), clock=FakeClock())


def complete(engine: sa.Engine, job_id: int) -> bool:
    output = StoredOutput(index=0, storage_path=f"generated/j{job_id}/0.png", info=INFO)
    return complete_job(job_id, 1, [output], {}, uow=SqlUnitOfWork(engine), clock=FakeClock())


def stored(engine: sa.Engine, request_id: int) -> GenerationRequest:
    with SqlUnitOfWork(engine) as uow:
        return uow.requests.get(request_id)


def media_count(engine: sa.Engine, request_id: int) -> int:
    m = generation_media
    query = sa.select(sa.func.count()).where(m.c.request_id == request_id)
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def test_eight_sibling_jobs_completing_at_once_leave_the_request_completed_and_charged(
    engine: sa.Engine,
) -> None:
    request = submitted(engine, "siblings@race.example", 8)
    ids = [j.id or 0 for j in request.jobs]
    claimed(engine, ids)
    results = race(8, lambda i: complete(engine, ids[i]))
    assert results == [True] * 8
    after = stored(engine, request.id or 0)
    assert after.status is Status.COMPLETED
    assert after.credits_charged == sum(j.credits_used for j in after.jobs) > 0
    assert media_count(engine, request.id or 0) == 8
    with SqlUnitOfWork(engine) as uow:
        wallet = uow.wallets.get(request.user_id)
    assert (wallet.balance, wallet.held) == (1_000 - after.credits_charged, 0)


def test_completions_failures_and_a_cancel_racing_on_one_request_leave_it_consistent(
    engine: sa.Engine,
) -> None:
    request = submitted(engine, "mixed@race.example", 8)
    ids = [j.id or 0 for j in request.jobs]
    claimed(engine, ids[:6])

    def act(i: int) -> object:
        if i < 4:
            return complete(engine, ids[i])
        if i < 6:
            return fail_job(ids[i], 1, "x", "y", uow=SqlUnitOfWork(engine), clock=FakeClock())
        cmd = CancelRequest(request_id=request.id or 0, user_id=request.user_id)
        return cancel_request(cmd, uow=SqlUnitOfWork(engine), clock=FakeClock())

    results = race(7, act)
    assert not [r for r in results if isinstance(r, Exception)]
    after = stored(engine, request.id or 0)
    statuses = [j.status for j in after.jobs]
    assert statuses[:4] == [Status.COMPLETED] * 4
    assert statuses[4:6] == [Status.FAILED] * 2
    assert statuses[6:] == [Status.CANCELLED] * 2
    assert after.status is request_status(statuses, started=True) is Status.COMPLETED
    assert after.credits_charged == sum(j.credits_used for j in after.jobs[:4])
    with SqlUnitOfWork(engine) as uow:
        wallet = uow.wallets.get(request.user_id)
    assert (wallet.balance, wallet.held) == (1_000 - after.credits_charged, 0)
