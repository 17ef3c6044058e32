"""The SQL job repository: claims, completions and batch saves."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.tables import generation_jobs, generation_requests
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.errors import StaleAggregate
from genmedia.domain.provider_cost import CostUnit, ProviderCost
from genmedia.domain.status import Status
from tests.integration.sql.helpers import HOUR, NOW, _add_request, _owner, _waits_until

pytestmark = pytest.mark.integration


def test_claiming_jobs_writes_what_the_domain_claim_would(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0, 0, 0, 0))
    fresh, with_deadline, running, _ = (j.id or 0 for j in request.jobs)
    with engine.begin() as connection:
        jobs = generation_jobs
        fixed = NOW + timedelta(hours=5)
        connection.execute(
            sa.update(jobs).where(jobs.c.id == with_deadline).values(deadline_at=fixed)
        )
        connection.execute(
            sa.update(jobs).where(jobs.c.id == running).values(status=Status.PROCESSING)
        )
    ids = [j.id or 0 for j in request.jobs]
    with SqlUnitOfWork(engine) as uow:
        before = {job.id: job for job in uow.jobs.lock(ids)}
    later, timeout = NOW + timedelta(minutes=3), timedelta(minutes=30)
    with SqlUnitOfWork(engine) as uow:
        claimed = uow.jobs.claim(
            [running, with_deadline, fresh, with_deadline, 987_654], "w9", later, timeout
        )
        uow.commit()
    assert [job.id for job in claimed] == [fresh, with_deadline]
    for job in claimed:
        expected = before[job.id]
        expected.claim("w9", later, timeout)
        assert attrs.asdict(job) == attrs.asdict(expected)
    with SqlUnitOfWork(engine) as uow:
        stored = {job.id: job for job in uow.jobs.lock(ids)}
    assert [attrs.asdict(stored[job.id or 0]) for job in claimed] == [
        attrs.asdict(job) for job in claimed
    ]
    assert stored[with_deadline].deadline_at == fixed
    assert stored[fresh].deadline_at == (before[fresh].created_at or NOW) + timeout
    assert (stored[running].attempts, stored[running].worker_id) == (0, None)


def test_a_claimed_job_saves_later_changes_against_its_claimed_state(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner)
    job_id = request.jobs[0].id or 0
    with SqlUnitOfWork(engine) as uow:
        [job] = uow.jobs.claim([job_id], "w1", NOW, timedelta(minutes=30))
        job.complete(NOW, {"model": "flux"}, credits_used=3)
        uow.jobs.save(job)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.jobs.get(job_id).status is Status.COMPLETED


def test_saving_completed_jobs_writes_their_outcome_where_they_still_run_that_lease(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0, 0, 0, 0))
    ids = [j.id or 0 for j in request.jobs]
    with SqlUnitOfWork(engine) as uow:
        claimed = uow.jobs.claim(ids, "w1", NOW, HOUR)
        uow.commit()
    done, retried, cancelling, repeated = (attrs.evolve(job) for job in claimed)
    with engine.begin() as connection:
        jobs = generation_jobs
        connection.execute(
            sa.update(jobs).where(jobs.c.id == retried.id).values(lease=2)
        )  # rescued and claimed again meanwhile
        connection.execute(
            sa.update(jobs).where(jobs.c.id == cancelling.id).values(cancel_requested=True)
        )
    later = NOW + timedelta(minutes=2)
    for number, job in enumerate((done, retried, cancelling, repeated)):
        job.complete(later, {"model": "flux", "n": number, "quote": 'a "b" {c}'}, number)
        job.provider_cost = ProviderCost(0.25 * number, list(CostUnit)[number])
    with SqlUnitOfWork(engine) as uow:
        written = uow.jobs.save_completed([repeated, cancelling, retried, done])
        uow.commit()
    assert written == [done, cancelling, repeated]  # the jobs given, in id order
    with SqlUnitOfWork(engine) as uow:
        stored = {job.id: job for job in uow.jobs.lock(ids)}
    for job in (done, repeated):
        assert attrs.asdict(stored[job.id]) == attrs.asdict(job)
    assert stored[cancelling.id].status is Status.COMPLETED
    assert stored[cancelling.id].cancel_requested, "a column it did not change is kept"
    assert (stored[retried.id].status, stored[retried.id].lease) == (Status.PROCESSING, 2)
    with SqlUnitOfWork(engine) as uow:
        assert uow.jobs.save_completed([attrs.evolve(repeated, completed_at=later)]) == []
    for job in (done, retried):
        with SqlUnitOfWork(engine) as uow:
            assert uow.jobs.save_completed([job]) == []


def test_saving_a_completed_job_locks_its_request_until_the_transaction_ends(
    clean_postgres_engine: sa.Engine,
) -> None:
    engine = clean_postgres_engine
    request = _add_request(engine, _owner(engine), priorities=(0, 0))
    with SqlUnitOfWork(engine) as uow:
        first, second = uow.jobs.claim([j.id or 0 for j in request.jobs], "w1", NOW, HOUR)
        uow.commit()
    for job in (first, second):
        job.complete(NOW, {}, 1)
    statuses: list[Status] = []
    completing, racing = SqlUnitOfWork(engine), SqlUnitOfWork(engine)
    with completing:
        assert completing.jobs.save_completed([first]) == [first]

        def complete_the_sibling() -> None:
            with racing:
                racing.jobs.save_completed([second])
                statuses.append(racing.requests.follow_jobs(request.id or 0))
                racing.commit()

        def finish() -> None:  # only now does this transaction write the request
            completing.requests.follow_all([request.id or 0], locked=True)
            completing.commit()

        _waits_until(finish, complete_the_sibling, "the sibling should wait for the request")
    assert statuses == [Status.COMPLETED], "the last to save sees both jobs completed"


def test_saving_completed_jobs_refuses_a_job_that_did_not_complete(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner)
    with SqlUnitOfWork(engine) as uow:
        [job] = uow.jobs.claim([request.jobs[0].id or 0], "w1", NOW, HOUR)
        with pytest.raises(ValueError, match=r"Job\.complete"):
            uow.jobs.save_completed([job])


def test_two_claims_of_the_same_jobs_at_once_give_each_job_to_one_of_them(
    clean_postgres_engine: sa.Engine,
) -> None:
    engine = clean_postgres_engine
    request = _add_request(engine, _owner(engine), priorities=(0, 0, 0))
    ids = [j.id or 0 for j in request.jobs]
    first, second = SqlUnitOfWork(engine), SqlUnitOfWork(engine)
    taken: dict[str, list[int]] = {}
    with first, second:
        taken["first"] = [j.id or 0 for j in first.jobs.claim(ids[:2], "first", NOW, HOUR)]

        def claim() -> None:
            taken["second"] = [j.id or 0 for j in second.jobs.claim(ids, "second", NOW, HOUR)]
            second.commit()

        _waits_until(first.commit, claim, "the second claim should wait for the first")
    assert taken == {"first": ids[:2], "second": ids[2:]}
    with SqlUnitOfWork(engine) as uow:
        assert [(j.worker_id, j.lease) for j in uow.jobs.lock(ids)] == [
            ("first", 1),
            ("first", 1),
            ("second", 1),
        ]


def test_a_claim_starts_the_pending_requests_of_the_jobs_it_claims(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    fresh, running, untouched = (_add_request(engine, owner) for _ in range(3))
    with engine.begin() as connection:
        connection.execute(
            sa.update(generation_requests)
            .where(generation_requests.c.id == running.id)
            .values(status=Status.PROCESSING, credits_charged=4)
        )
    ids = [fresh.jobs[0].id or 0, running.jobs[1].id or 0]
    with SqlUnitOfWork(engine) as uow:
        claimed = uow.jobs.claim(ids, "w1", NOW, HOUR)
        uow.commit()
    assert [job.id for job in claimed] == ids
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                generation_requests.c.id,
                generation_requests.c.status,
                generation_requests.c.credits_charged,
            )
        )
        requests = {row.id: (row.status, row.credits_charged) for row in rows}
    assert requests == {
        fresh.id: (Status.PROCESSING, 0),
        running.id: (Status.PROCESSING, 4),
        untouched.id: (Status.PENDING, 0),
    }


def test_a_claim_that_claims_nothing_starts_no_request(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner)
    job_id = request.jobs[0].id or 0
    with engine.begin() as connection:
        connection.execute(
            sa.update(generation_jobs)
            .where(generation_jobs.c.id == job_id)
            .values(status=Status.CANCELLED)
        )
    with SqlUnitOfWork(engine) as uow:
        assert uow.jobs.claim([job_id], "w1", NOW, HOUR) == []
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.requests.get(request.id or 0).status is Status.PENDING


def test_jobs_saved_together_each_get_their_own_changes(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0, 0, 0))
    ids = [j.id or 0 for j in request.jobs]
    with SqlUnitOfWork(engine) as uow:
        first, second, third = uow.jobs.claim(ids, "w1", NOW, HOUR)
        first.complete(NOW, {"n": 1}, credits_used=3)
        second.complete(NOW + HOUR, {"n": 2}, credits_used=5)
        third.fail("provider_unavailable", "down", NOW)
        uow.jobs.save_all([first, second, third])
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        saved = [uow.jobs.get(job_id) for job_id in ids]
    assert [(j.status, j.credits_used, j.output_metadata) for j in saved[:2]] == [
        (Status.COMPLETED, 3, {"n": 1}),
        (Status.COMPLETED, 5, {"n": 2}),
    ]
    assert [j.completed_at for j in saved[:2]] == [NOW, NOW + HOUR]
    assert (saved[2].status, saved[2].error_code) == (Status.FAILED, "provider_unavailable")


def test_a_batch_save_with_one_job_moved_on_is_stale_and_writes_nothing(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0, 0, 0))
    ids = [j.id or 0 for j in request.jobs]
    with SqlUnitOfWork(engine) as uow:
        uow.jobs.claim(ids, "w1", NOW, HOUR)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        jobs = [uow.jobs.get(job_id) for job_id in ids]
        moved = uow.jobs.get(ids[1])  # another copy, saved first: the batch's copy is stale
        moved.fail("deadline_exceeded", "late", NOW)
        uow.jobs.save(moved)
        uow.commit()
        for job in jobs:
            job.complete(NOW, {}, credits_used=1)
        with pytest.raises(StaleAggregate):
            uow.jobs.save_all(jobs)
    with SqlUnitOfWork(engine) as uow:
        statuses = [uow.jobs.get(job_id).status for job_id in ids]
    assert statuses == [Status.PROCESSING, Status.FAILED, Status.PROCESSING]
