"""The SQL request repository: requests with their jobs, guarded saves."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.tables import generation_jobs, generation_requests
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.errors import StaleAggregate
from genmedia.domain.errors import NotFound
from genmedia.domain.job import Job
from genmedia.domain.job_input import JobInput
from genmedia.domain.status import Status
from tests.integration.sql.helpers import NOW, _add_request, _owner

pytestmark = pytest.mark.integration


def test_a_request_round_trips_with_its_jobs_in_index_order(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(1, 5, 3))
    assert request.id is not None
    assert all(j.request_id == request.id for j in request.jobs)
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.requests.get(request.id)
        by_job = uow.requests.get_by_job(request.jobs[2].id or 0)
    assert by_job.id == request.id
    assert [j.index for j in loaded.jobs] == [0, 1, 2]
    assert [j.id for j in loaded.jobs] == [j.id for j in request.jobs]
    assert [j.priority for j in loaded.jobs] == [1, 5, 3]
    assert loaded.jobs[1].input == JobInput(prompt="job 1", index=1)
    assert loaded.jobs[1].status is Status.PENDING
    assert loaded.input_media_ids == [11, 12]
    assert loaded.generation_params == {"steps": 28}
    assert loaded.input_metadata == {"seed": 42, "negative_prompt": "blur"}
    assert (loaded.status, loaded.estimated_cost, loaded.user_custom_input) == (
        Status.PENDING,
        6,
        None,
    )


def test_starting_and_completing_a_job_is_saved(engine: sa.Engine, owner: tuple[int, int]) -> None:
    request = _add_request(engine, owner)
    job_id = request.jobs[0].id or 0
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.requests.get_by_job(job_id)
        loaded.job(job_id).start("worker-1")
        loaded.job(job_id).begin(NOW)
        loaded.job(job_id).record_task("task-9", "https://poll/9", None, NOW)
        uow.requests.save(loaded)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        started = uow.requests.get(request.id or 0)
        started.job(job_id).complete(NOW, {"model": "flux"}, 3)
        uow.requests.save(started)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        done = uow.requests.get(request.id or 0)
    job = done.job(job_id)
    assert (job.status, job.worker_id, job.attempts, job.lease) == (Status.COMPLETED, None, 1, 2)
    assert (job.started_at, job.completed_at, job.output_metadata) == (NOW, NOW, {"model": "flux"})
    assert (job.provider_task_id, job.provider_polling_url) == ("task-9", "https://poll/9")
    assert (done.status, done.credits_charged) == (Status.PROCESSING, 3)
    assert done.jobs[1].status is Status.PENDING


def test_a_job_added_to_a_loaded_request_is_inserted_on_save(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0,))
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.requests.get(request.id or 0)
        loaded.jobs.append(Job(user_id=owner[0], feature_id=owner[1], index=1, priority=9))
        uow.requests.save(loaded)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        again = uow.requests.get(request.id or 0)
    assert [j.priority for j in again.jobs] == [0, 9]
    assert again.jobs[1].id == loaded.jobs[1].id


def test_a_user_lists_live_requests_newest_first(engine: sa.Engine, owner: tuple[int, int]) -> None:
    first, second, third = (_add_request(engine, owner) for _ in range(3))
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.requests.get(second.id or 0)
        loaded.soft_delete(NOW)
        uow.requests.save(loaded)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        listed = uow.requests.list_for_user(owner[0])
        assert [r.id for r in uow.requests.list_for_user(owner[0], limit=1)] == [third.id]
        assert uow.requests.list_for_user(owner[0] + 1) == []
    assert [r.id for r in listed] == [third.id, first.id]
    assert all(len(r.jobs) == 2 for r in listed)


def test_a_save_from_an_outdated_load_is_stale(engine: sa.Engine, owner: tuple[int, int]) -> None:
    request = _add_request(engine, owner)
    job_id = request.jobs[0].id or 0
    slow, fast = SqlUnitOfWork(engine), SqlUnitOfWork(engine)
    with slow:
        outdated = slow.requests.get(request.id or 0)
    with fast:
        current = fast.requests.get(request.id or 0)
        current.job(job_id).start("fast")
        fast.requests.save(current)
        fast.commit()
    with slow:
        outdated.job(job_id).start("slow")
        with pytest.raises(StaleAggregate):
            slow.requests.save(outdated)
        slow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.requests.get(request.id or 0).job(job_id).worker_id == "fast"


def test_saving_one_copy_makes_an_older_copy_stale_in_the_same_unit_of_work(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner)
    with SqlUnitOfWork(engine) as uow:
        older, newer = uow.requests.get(request.id or 0), uow.requests.get(request.id or 0)
        newer.cancel(NOW)
        uow.requests.save(newer)
        older.metadata = {"note": "late"}
        with pytest.raises(StaleAggregate):
            uow.requests.save(older)


def test_a_job_changed_behind_the_request_fails_the_guard_and_writes_nothing(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner)
    job_id = request.jobs[1].id or 0
    uow = SqlUnitOfWork(engine)
    with uow:
        loaded = uow.requests.get(request.id or 0)
    with engine.begin() as connection:
        claim = sa.update(generation_jobs).where(generation_jobs.c.id == job_id)
        connection.execute(claim.values(status=Status.PROCESSING, attempts=1))
    with uow:
        loaded.cancel(NOW)
        with pytest.raises(StaleAggregate):
            uow.requests.save(loaded)
        uow.commit()
    with engine.connect() as connection:
        version = sa.select(generation_requests.c.version, generation_requests.c.status)
        row = connection.execute(version.where(generation_requests.c.id == request.id)).one()
        statuses = connection.execute(
            sa.select(generation_jobs.c.status).order_by(generation_jobs.c.job_index)
        ).scalars()
        assert (row.version, row.status) == (1, Status.PENDING)
        assert list(statuses) == [Status.PENDING, Status.PROCESSING]


def test_saving_a_request_not_loaded_here_is_refused(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner)
    with SqlUnitOfWork(engine) as uow, pytest.raises(ValueError, match="loaded"):
        uow.requests.save(request)


def test_overlapping_claims_of_one_job_leave_exactly_one_winner(
    clean_postgres_engine: sa.Engine,
) -> None:
    postgres_engine = clean_postgres_engine
    owner_pg = _owner(postgres_engine)
    request = _add_request(postgres_engine, owner_pg)
    job_id = request.jobs[0].id or 0
    first, second = SqlUnitOfWork(postgres_engine), SqlUnitOfWork(postgres_engine)
    outcome: dict[str, str] = {}
    with first, second:
        mine, theirs = first.requests.get_by_job(job_id), second.requests.get_by_job(job_id)
        mine.job(job_id).start("first")
        first.requests.save(mine)

        def claim() -> None:
            theirs.job(job_id).start("second")
            try:
                second.requests.save(theirs)
                outcome["second"] = "saved"
            except StaleAggregate:
                outcome["second"] = "stale"

        racer = threading.Thread(target=claim)
        racer.start()
        racer.join(0.5)
        assert racer.is_alive(), "the second save should wait for the first transaction"
        first.commit()
        racer.join(10)
    assert outcome == {"second": "stale"}
    with SqlUnitOfWork(postgres_engine) as uow:
        job = uow.requests.get(request.id or 0).job(job_id)
    assert (job.worker_id, job.lease) == ("first", 1)


@pytest.mark.parametrize("locked", [False, True])
def test_requests_follow_their_jobs_with_or_without_taking_their_locks(
    engine: sa.Engine, owner: tuple[int, int], locked: bool
) -> None:
    done, running, untouched = (_add_request(engine, owner, (0, 0)) for _ in range(3))
    empty = _add_request(engine, owner, ())
    jobs = generation_jobs
    with engine.begin() as connection:
        for job, (status, credits) in zip(
            [*done.jobs, *running.jobs],
            [(Status.COMPLETED, 3), (Status.FAILED, 0), (Status.COMPLETED, 2), (Status.PENDING, 0)],
            strict=True,
        ):
            values = {"status": status, "credits_used": credits}
            connection.execute(sa.update(jobs).where(jobs.c.id == job.id).values(values))
        connection.execute(
            sa.update(generation_requests)
            .where(generation_requests.c.id == running.id)
            .values(status=Status.PROCESSING)
        )
    ids = [done.id or 0, running.id or 0, untouched.id or 0, empty.id or 0]
    with SqlUnitOfWork(engine) as uow:
        statuses = uow.requests.follow_all(ids, locked=locked)
        uow.commit()
    assert statuses == {
        done.id: Status.COMPLETED,
        running.id: Status.PROCESSING,
        untouched.id: Status.PENDING,
        empty.id: Status.PENDING,
    }
    with SqlUnitOfWork(engine) as uow:
        stored = [uow.requests.get(request_id) for request_id in ids]
    assert [(r.status, r.credits_charged) for r in stored] == [
        (Status.COMPLETED, 3),
        (Status.PROCESSING, 2),
        (Status.PENDING, 0),
        (Status.PENDING, 0),
    ]
    with SqlUnitOfWork(engine) as uow, pytest.raises(NotFound):
        uow.requests.follow_all([*ids, 987_654], locked=locked)
