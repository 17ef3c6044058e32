"""The SQL outbox: dispatch order, caps, backoff, lost messages and orphans, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.repositories import SqlJobOutbox
from genmedia.adapters.sql.tables import generation_jobs
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.catalog.seeding import seed_catalog
from genmedia.application.execution.rescue import beat, stopped
from genmedia.application.execution.steps import claim_job
from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.generation.requests import submit_request
from genmedia.application.identity.commands import CreateUser
from genmedia.application.identity.users import create_user
from genmedia.domain.scheduling import ProviderLimits
from tests.fakes import FakeClock, FakeHasher

pytestmark = pytest.mark.integration
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(name="world")
def world_fixture(engine: sa.Engine) -> sa.Engine:
    return world(engine)


def world(engine: sa.Engine) -> sa.Engine:
    """The engine, its database seeded with the sample catalog."""
    seed_catalog(
        uow=SqlUnitOfWork(engine), hasher=FakeHasher(), clock=FakeClock(), admin_email="a@x.io"
    )
    return engine


def user(engine: sa.Engine, email: str) -> int:
    cmd = CreateUser(email=email)
    made = create_user(
        cmd, uow=SqlUnitOfWork(engine), hasher=FakeHasher(), clock=FakeClock(), welcome_credits=500
    )
    return made.id or 0


def jobs_for(engine: sa.Engine, user_id: int, batch: int) -> list[int]:
    cmd = SubmitRequest(user_id=user_id, template="neon-city", input_metadata={"batch_size": batch})
    return [
        j.id or 0 for j in submit_request(cmd, uow=SqlUnitOfWork(engine), clock=FakeClock()).jobs
    ]


def claim(
    engine: sa.Engine, limit: int = 100, cap: int = 100, room: int = 100, now: datetime = NOW
) -> list[int]:
    with SqlUnitOfWork(engine) as uow:
        picked = uow.outbox.claim_for_dispatch(now, limit, cap, room)
        uow.commit()
    return [p.job_id for p in picked]


def test_dispatch_marks_what_it_picks_so_a_second_pick_gets_the_rest(world: sa.Engine) -> None:
    ids = jobs_for(world, user(world, "u1@x.io"), 6)
    first = claim(world, limit=4)
    assert first == ids[:4]
    assert claim(world, limit=4) == ids[4:]
    assert claim(world) == []


def test_no_user_gets_more_than_the_cap_in_flight(world: sa.Engine) -> None:
    busy, calm = user(world, "busy@x.io"), user(world, "calm@x.io")
    busy_jobs = jobs_for(world, busy, 8)
    calm_job = jobs_for(world, calm, 1)
    assert claim(world, cap=3) == [busy_jobs[0], *calm_job, *busy_jobs[1:3]]
    assert claim(world, cap=3) == []
    claim_job(busy_jobs[0], "w", uow=SqlUnitOfWork(world), clock=FakeClock())
    assert claim(world, cap=3) == []


def test_no_more_than_max_in_flight_jobs_are_out_at_once(world: sa.Engine) -> None:
    jobs_for(world, user(world, "u2@x.io"), 8)
    assert len(claim(world, room=5)) == 5
    assert claim(world, room=5) == []


def test_a_job_waiting_for_its_retry_is_not_dispatched_early(world: sa.Engine) -> None:
    (job_id,) = jobs_for(world, user(world, "u3@x.io"), 1)
    with world.begin() as connection:
        later = NOW + timedelta(seconds=30)
        connection.execute(
            sa.update(generation_jobs).where(generation_jobs.c.id == job_id).values(run_after=later)
        )
    assert claim(world) == []
    assert claim(world, now=NOW + timedelta(seconds=31)) == [job_id]


def test_a_message_that_was_lost_is_dispatched_again(world: sa.Engine) -> None:
    (job_id,) = jobs_for(world, user(world, "u4@x.io"), 1)
    assert claim(world) == [job_id]
    with SqlUnitOfWork(world) as uow:
        assert uow.outbox.redispatch_stale(NOW - timedelta(seconds=1)) == 0
        assert uow.outbox.redispatch_stale(NOW + timedelta(seconds=1)) == 1
        uow.commit()
    assert claim(world) == [job_id]


def test_running_jobs_of_silent_or_stopped_workers_are_orphans(world: sa.Engine) -> None:
    first, second = jobs_for(world, user(world, "u5@x.io"), 2)
    beat("alive", 1, uow=SqlUnitOfWork(world))
    beat("gone", 2, uow=SqlUnitOfWork(world))
    claim_job(first, "alive", uow=SqlUnitOfWork(world), clock=FakeClock())
    claim_job(second, "gone", uow=SqlUnitOfWork(world), clock=FakeClock())
    stopped("gone", uow=SqlUnitOfWork(world))
    with SqlUnitOfWork(world) as uow:
        now = uow.wallets.now()
        assert uow.outbox.orphaned(now - timedelta(seconds=30), 10) == [second]
        assert uow.outbox.orphaned(now + timedelta(seconds=30), 10) == [first, second]


def test_a_dispatch_round_that_marks_jobs_commits_without_waiting_for_the_disk(
    clean_postgres_engine: sa.Engine,
) -> None:
    engine = world(clean_postgres_engine)
    jobs_for(engine, user(engine, "u1@x.io"), 2)

    def round_setting() -> tuple[int, str]:
        with engine.connect() as connection, connection.begin():
            picked = SqlJobOutbox(connection).claim_for_dispatch(NOW, 100, 100, 100)
            return len(picked), connection.exec_driver_sql("SHOW synchronous_commit").scalar_one()

    assert round_setting() == (2, "off")
    assert round_setting() == (0, "on")


def templated_jobs(engine: sa.Engine, user_id: int, template: str, batch: int) -> list[int]:
    cmd = SubmitRequest(user_id=user_id, template=template, input_metadata={"batch_size": batch})
    return [
        j.id or 0 for j in submit_request(cmd, uow=SqlUnitOfWork(engine), clock=FakeClock()).jobs
    ]


def test_a_provider_at_its_limit_keeps_its_jobs_pending_while_other_providers_go(
    world: sa.Engine,
) -> None:
    fal = templated_jobs(world, user(world, "fal@x.io"), "fal-golden-hour", 1)
    fal += templated_jobs(world, user(world, "fal2@x.io"), "fal-golden-hour", 1)
    fal += templated_jobs(world, user(world, "fal3@x.io"), "fal-golden-hour", 1)
    local = jobs_for(world, user(world, "local@x.io"), 1)
    limits = ProviderLimits({"fal": 2})

    def round_(limit: int = 100) -> list[int]:
        with SqlUnitOfWork(world) as uow:
            picked = uow.outbox.claim_for_dispatch(NOW, limit, 100, 100, limits)
            uow.commit()
        return [p.job_id for p in picked]

    assert round_(limit=1) == fal[:1]
    assert round_() == [fal[1], *local]  # fal has 2 in flight now: its third job waits
    assert round_() == []
    claim_job(fal[0], "w", uow=SqlUnitOfWork(world), clock=FakeClock())
    assert round_() == []  # claimed, still in flight
    with world.begin() as connection:
        finished = generation_jobs.c.id == fal[0]
        connection.execute(sa.update(generation_jobs).where(finished).values(status="completed"))
    assert round_() == fal[2:]


def test_each_job_records_its_provider_for_the_dispatcher(world: sa.Engine) -> None:
    (fal,) = templated_jobs(world, user(world, "p@x.io"), "fal-golden-hour", 1)
    (local,) = jobs_for(world, user(world, "q@x.io"), 1)
    query = sa.select(generation_jobs.c.id, generation_jobs.c.provider)
    with world.connect() as connection:
        providers = dict(connection.execute(query.order_by(generation_jobs.c.id)).all())
    assert (providers[fal], providers[local]) == ("fal", "local")


def test_jobs_waiting_on_their_tasks_hold_no_worker_but_count_against_their_provider(
    world: sa.Engine,
) -> None:
    owner = user(world, "tasks@x.io")
    waiting = templated_jobs(world, owner, "fal-golden-hour", 2)
    claimed(world, waiting)
    with world.begin() as connection:
        ours = generation_jobs.c.id.in_(waiting)
        connection.execute(
            sa.update(generation_jobs).where(ours).values(provider_task_id="task", worker_id=None)
        )
    more_fal = templated_jobs(world, owner, "fal-golden-hour", 1)
    local = jobs_for(world, owner, 2)
    limits = ProviderLimits({"fal": 2})
    with SqlUnitOfWork(world) as uow:
        picked = uow.outbox.claim_for_dispatch(NOW, 100, 2, 2, limits)
        uow.commit()
    # The two fal tasks leave the room (2) and the user's cap (2) to the local jobs, but
    # they keep fal at its limit: its third job waits.
    assert [p.job_id for p in picked] == local
    assert more_fal[0] not in [p.job_id for p in picked]


def claimed(engine: sa.Engine, job_ids: list[int]) -> None:
    for job_id in job_ids:
        assert claim_job(job_id, "w", uow=SqlUnitOfWork(engine), clock=FakeClock())
