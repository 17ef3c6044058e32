"""Jobs changing at once on PostgreSQL, alone or in batches: requests, wallets and the
ledger end consistent."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from sqlalchemy import event

from genmedia.adapters.sql.tables import generation_jobs, generation_media
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.catalog.seeding import seed_catalog
from genmedia.application.execution.completion import (
    Completion,
    StoredOutput,
    complete_job,
    complete_jobs,
)
from genmedia.application.execution.steps import (
    claim_job,
    claim_jobs,
    fail_job,
)
from genmedia.application.generation.commands import CancelRequest, SubmitRequest
from genmedia.application.generation.requests import cancel_request, submit_request
from genmedia.application.identity.commands import CreateUser
from genmedia.application.identity.users import create_user
from genmedia.application.wallet.accounts import expire_holds
from genmedia.domain.job import Job
from genmedia.domain.media import ImageInfo
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status, request_status
from tests.fakes import FakeClock, FakeHasher
from tests.races import race

pytestmark = pytest.mark.integration
INFO = ImageInfo(file_format="png", width=8, height=8, file_size=10, blurhash="L00000")


@pytest.fixture
def engine(postgres_url: str) -> Iterator[sa.Engine]:
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


def as_run(engine: sa.Engine, job_id: int, lease: int = 1) -> Job:
    """The job as a worker running it under this lease holds it."""
    with SqlUnitOfWork(engine) as uow:
        job = uow.jobs.get(job_id)
    return attrs.evolve(job, status=Status.PROCESSING, lease=lease)


def complete(engine: sa.Engine, job_id: int) -> bool:
    output = StoredOutput(index=0, storage_path=f"generated/j{job_id}/0.png", info=INFO)
    job = as_run(engine, job_id)
    return complete_job(job, [output], {}, uow=SqlUnitOfWork(engine), clock=FakeClock())


def completion(engine: sa.Engine, job_id: int, lease: int = 1) -> Completion:
    output = StoredOutput(index=0, storage_path=f"generated/j{job_id}/0.png", info=INFO)
    return Completion(job=as_run(engine, job_id, lease), outputs=[output], metadata={})


def complete_batch(engine: sa.Engine, job_ids: list[int], lease: int = 1) -> set[int]:
    """Complete these jobs' runs under `lease` in one batch; the ids of the jobs completed."""
    completions = [completion(engine, job_id, lease) for job_id in job_ids]
    written = complete_jobs(completions, uow=SqlUnitOfWork(engine), clock=FakeClock())
    return {job_id for job_id, _ in written}


def stored(engine: sa.Engine, request_id: int) -> GenerationRequest:
    with SqlUnitOfWork(engine) as uow:
        return uow.requests.get(request_id)


def balance_and_held(engine: sa.Engine, user_id: int) -> tuple[int, int]:
    with SqlUnitOfWork(engine) as uow:
        wallet = uow.wallets.get(user_id)
    return wallet.balance, wallet.held


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
    assert balance_and_held(engine, request.user_id) == (1_000 - after.credits_charged, 0)


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
            run = as_run(engine, ids[i])
            return fail_job(run, "x", "y", uow=SqlUnitOfWork(engine), clock=FakeClock())
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
    assert balance_and_held(engine, request.user_id) == (1_000 - after.credits_charged, 0)


def assert_ledger_chains(engine: sa.Engine, user_id: int) -> None:
    """Each entry starts at the balance the one before it ended at, down to the wallet's."""
    with SqlUnitOfWork(engine) as uow:
        entries = sorted(uow.wallets.entries(user_id, limit=100), key=lambda e: e.id or 0)
        wallet = uow.wallets.get(user_id)
    for before, after in itertools.pairwise(entries):
        assert after.balance_before == before.balance_after
    for entry in entries:
        assert entry.balance_after - entry.balance_before == entry.delta
    assert entries[-1].balance_after == wallet.balance


def assert_completed_and_charged_in_full(engine: sa.Engine, request: GenerationRequest) -> None:
    """The request completed and was charged its estimate: wallet and ledger agree."""
    after = stored(engine, request.id or 0)
    assert after.status is Status.COMPLETED
    assert after.credits_charged == request.estimated_cost
    assert balance_and_held(engine, request.user_id) == (1_000 - request.estimated_cost, 0)
    assert_ledger_chains(engine, request.user_id)


def test_one_batch_completes_jobs_of_several_users_each_charged_with_its_own_entry(
    engine: sa.Engine,
) -> None:
    first = submitted(engine, "batch-a@race.example", 4)
    second = submitted(engine, "batch-b@race.example", 2)
    ids = [j.id or 0 for j in first.jobs + second.jobs]
    claimed = claim_jobs(ids, "w1", uow=SqlUnitOfWork(engine), clock=FakeClock())
    assert sorted(claimed) == sorted(ids)
    assert complete_batch(engine, ids) == set(ids)
    for request in (first, second):
        after = stored(engine, request.id or 0)
        assert after.status is Status.COMPLETED
        assert after.credits_charged == request.estimated_cost > 0
        assert media_count(engine, request.id or 0) == len(request.jobs)
        with SqlUnitOfWork(engine) as uow:
            wallet = uow.wallets.get(request.user_id)
            captures = [e for e in uow.wallets.entries(request.user_id) if e.links.job_id]
            holds = [uow.holds.for_job(j.id or 0) for j in request.jobs]
        assert (wallet.balance, wallet.held) == (1_000 - request.estimated_cost, 0)
        assert sorted(e.links.job_id or 0 for e in captures) == sorted(
            j.id or 0 for j in request.jobs
        )
        assert all(h is not None and h.status.value == "captured" for h in holds)
        assert_ledger_chains(engine, request.user_id)


def test_a_batch_claim_takes_each_pending_job_once_and_leaves_the_others(
    engine: sa.Engine,
) -> None:
    request = submitted(engine, "claims@race.example", 3)
    a, b, c = (j.id or 0 for j in request.jobs)
    claimed(engine, [b])
    uow = SqlUnitOfWork(engine)
    taken = claim_jobs([a, a, b, c, 999_999], "w2", uow=uow, clock=FakeClock())
    assert sorted(taken) == [a, c]
    assert {job.worker_id for job in taken.values()} == {"w2"}
    after = stored(engine, request.id or 0)
    assert [j.worker_id for j in after.jobs] == ["w2", "w1", "w2"]
    assert [(j.lease, j.attempts) for j in after.jobs] == [(1, 0)] * 3
    assert after.status is Status.PROCESSING


def test_a_claim_is_one_statement_that_postgresql_commits_without_a_transaction(
    engine: sa.Engine,
) -> None:
    request = submitted(engine, "alone@race.example", 2)
    ids = [j.id or 0 for j in request.jobs]
    seen: list[tuple[str, bool]] = []

    def record(connection: sa.Connection, cursor: Any, statement: str, *args: Any) -> None:
        autocommit = connection.connection.dbapi_connection.autocommit
        seen.append((statement.split()[0], autocommit))

    event.listen(engine, "before_cursor_execute", record)
    try:
        claimed = claim_jobs(ids, "w1", uow=SqlUnitOfWork(engine), clock=FakeClock())
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert sorted(claimed) == ids
    assert seen == [("WITH", True)], "one statement, in autocommit: no BEGIN, no COMMIT"
    assert stored(engine, request.id or 0).status is Status.PROCESSING


def test_a_batch_leaves_out_jobs_no_longer_running_under_the_completed_lease(
    engine: sa.Engine,
) -> None:
    request = submitted(engine, "stale@race.example", 3)
    ids = [j.id or 0 for j in request.jobs]
    claimed(engine, ids)
    assert complete_batch(engine, ids[:1]) == {ids[0]}
    stale = [
        completion(engine, ids[0]),
        completion(engine, ids[1], lease=2),
        completion(engine, ids[2]),
    ]
    assert complete_jobs(stale, uow=SqlUnitOfWork(engine), clock=FakeClock()) == {(ids[2], 1)}
    after = stored(engine, request.id or 0)
    assert [j.status for j in after.jobs] == [
        Status.COMPLETED,
        Status.PROCESSING,
        Status.COMPLETED,
    ]
    assert media_count(engine, request.id or 0) == 2
    assert_ledger_chains(engine, request.user_id)


def test_a_batch_with_two_runs_of_a_job_completes_the_one_under_its_current_lease(
    engine: sa.Engine,
) -> None:
    request = submitted(engine, "attempts@race.example", 1)
    [job_id] = [j.id or 0 for j in request.jobs]
    claimed(engine, [job_id])
    jobs = generation_jobs
    with engine.begin() as connection:  # rescued, then claimed again by the same worker
        connection.execute(sa.update(jobs).where(jobs.c.id == job_id).values(lease=2))
    batch = [completion(engine, job_id, lease=1), completion(engine, job_id, lease=2)]
    written = complete_jobs(batch, uow=SqlUnitOfWork(engine), clock=FakeClock())
    assert written == {(job_id, 2)}
    after = stored(engine, request.id or 0)
    assert (after.jobs[0].status, after.jobs[0].lease) == (Status.COMPLETED, 2)
    assert after.status is Status.COMPLETED
    assert media_count(engine, request.id or 0) == 1
    assert_ledger_chains(engine, request.user_id)


def test_a_job_whose_hold_expired_is_charged_from_the_balance_within_its_batch(
    engine: sa.Engine,
) -> None:
    request = submitted(engine, "expired@race.example", 2)
    ids = [j.id or 0 for j in request.jobs]
    claimed(engine, ids)
    holds = sa.table("credit_holds", sa.column("job_id"), sa.column("expires_at"))
    with engine.begin() as connection:
        connection.execute(
            sa.update(holds).where(holds.c.job_id == ids[0]).values(expires_at=sa.func.now())
        )
    assert expire_holds(uow=SqlUnitOfWork(engine)) == 1
    assert complete_batch(engine, ids) == set(ids)
    assert_completed_and_charged_in_full(engine, request)


def test_batches_of_one_request_racing_from_several_threads_leave_it_completed_and_charged(
    engine: sa.Engine,
) -> None:
    request = submitted(engine, "batches@race.example", 8)
    ids = [j.id or 0 for j in request.jobs]
    claimed(engine, ids)
    pairs = [[ids[i], ids[7 - i]] for i in range(4)]
    results = race(4, lambda i: complete_batch(engine, pairs[i]))
    assert results == [set(pair) for pair in pairs]
    assert media_count(engine, request.id or 0) == 8
    assert_completed_and_charged_in_full(engine, request)
