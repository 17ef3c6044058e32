"""A job carried through the worker's steps on each database: what each act writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.repositories.generation import job_statements
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.catalog.seeding import seed_catalog
from genmedia.application.execution.completion import StoredOutput, complete_job
from genmedia.application.execution.polls import take_poll, wait_for_task
from genmedia.application.execution.rescue import Rescue, Sighting, rescue_job
from genmedia.application.execution.steps import begin_runs, claim_job
from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.generation.requests import submit_request
from genmedia.application.identity.commands import CreateUser
from genmedia.application.identity.users import create_user
from genmedia.application.ports import Waiting
from genmedia.application.wallet.accounts import AdjustCredits, adjust_credits, expire_holds
from genmedia.domain.job import Job
from genmedia.domain.media import ImageInfo
from genmedia.domain.provider_cost import CostUnit, ProviderCost
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status
from tests.fakes import FakeClock, FakeHasher

pytestmark = pytest.mark.integration

INFO = ImageInfo(file_format="png", width=8, height=8, file_size=10, blurhash="L00000")
CLOCK = FakeClock()
CREDITS = ProviderCost(4, CostUnit.BFL_CREDITS)


def _submitted(
    engine: sa.Engine, batch: int = 2, hold_ttl: timedelta = timedelta(hours=1)
) -> GenerationRequest:
    seed_catalog(uow=SqlUnitOfWork(engine), hasher=FakeHasher(), clock=CLOCK, admin_email="a@x.io")
    user = create_user(
        CreateUser(email="ann@example.com"),
        uow=SqlUnitOfWork(engine),
        hasher=FakeHasher(),
        clock=CLOCK,
        welcome_credits=100,
    )
    cmd = SubmitRequest(
        user_id=user.id or 0, template="neon-city", input_metadata={"batch_size": batch}
    )
    return submit_request(cmd, uow=SqlUnitOfWork(engine), clock=CLOCK, hold_ttl=hold_ttl)


def _claimed(engine: sa.Engine, job_id: int, *, call: bool = True) -> Job:
    """The job claimed by worker-1, which began its provider call (or not)."""
    job = claim_job(job_id, "worker-1", uow=SqlUnitOfWork(engine), clock=CLOCK)
    assert job is not None
    if call:
        runs = {(job_id, job.lease)}
        assert begin_runs(runs, "worker-1", uow=SqlUnitOfWork(engine), now=CLOCK.now()) == {
            job_id: False
        }
        job.begin(CLOCK.now())
    return job


def _lost(queued: frozenset[tuple[int, int]] = frozenset()) -> Sighting:
    """What a rescuer sees when every worker is gone, the poll messages `queued` held."""
    later = CLOCK.now() + timedelta(minutes=1)
    return Sighting(live_workers=frozenset(), heartbeat_before=later, queued_polls=queued)


def _complete(engine: sa.Engine, job: Job, cost: ProviderCost | None = None) -> bool:
    output = StoredOutput(index=0, storage_path=f"generated/j{job.id}-0.png", info=INFO)
    metadata = {"model": "flux"}
    uow = SqlUnitOfWork(engine)
    return complete_job(job, [output], metadata, uow=uow, clock=CLOCK, provider_cost=cost)


def _request(engine: sa.Engine, request_id: int) -> GenerationRequest:
    with SqlUnitOfWork(engine) as uow:
        return uow.requests.get(request_id)


def test_a_job_claimed_waiting_on_its_provider_and_completed_is_saved_as_such(
    engine: sa.Engine,
) -> None:
    request = _submitted(engine)
    first = _claimed(engine, request.jobs[0].id or 0)
    waiting = Waiting(task_id="task-9", polling_url="https://poll/9", provider_cost=CREDITS)
    token = wait_for_task(first, waiting, CLOCK.now(), uow=SqlUnitOfWork(engine))
    assert token == first.lease + 1
    polled = take_poll(first.id or 0, token, "worker-2", uow=SqlUnitOfWork(engine))
    assert polled is not None
    assert take_poll(first.id or 0, token, "worker-3", uow=SqlUnitOfWork(engine)) is None
    assert _complete(engine, polled)
    done = _request(engine, request.id or 0)
    job, cost = done.jobs[0], first.input.credits
    assert (job.status, job.worker_id, job.attempts) == (Status.COMPLETED, "worker-2", 1)
    assert (job.started_at, job.completed_at) == (CLOCK.now(), CLOCK.now())
    assert job.output_metadata == {"model": "flux", "credits_charged": cost}
    assert (job.credits_used, job.provider_cost) == (cost, CREDITS)
    assert (job.provider_task_id, job.provider_polling_url) == ("task-9", "https://poll/9")
    assert (done.status, done.credits_charged) == (Status.PROCESSING, cost)
    assert done.jobs[1].status is Status.PENDING


def test_a_late_job_the_wallet_cannot_cover_is_saved_delivered_unpaid(engine: sa.Engine) -> None:
    request = _submitted(engine, batch=1, hold_ttl=timedelta(seconds=-1))
    assert expire_holds(uow=SqlUnitOfWork(engine)) == 1
    drain = AdjustCredits(user_id=request.user_id, amount=-99, reason="test", reference_id="t")
    adjust_credits(drain, uow=SqlUnitOfWork(engine))
    assert _complete(engine, _claimed(engine, request.jobs[0].id or 0))
    done = _request(engine, request.id or 0)
    job = done.jobs[0]
    assert (job.status, job.credits_used) == (Status.COMPLETED, 0)
    assert job.output_metadata == {"model": "flux", "credits_charged": 0, "billing": "unpaid"}
    assert (done.status, done.credits_charged) == (Status.COMPLETED, 0)


def test_a_rescued_job_waiting_on_its_provider_keeps_its_task_without_a_worker(
    engine: sa.Engine,
) -> None:
    request = _submitted(engine, batch=1)
    job = _claimed(engine, request.jobs[0].id or 0)
    waiting = Waiting(task_id="task-9", polling_url=None, provider_cost=None)
    token = wait_for_task(job, waiting, CLOCK.now(), uow=SqlUnitOfWork(engine))
    assert token is not None
    queued = frozenset({(job.id or 0, token)})
    rescue = rescue_job(job.id or 0, uow=SqlUnitOfWork(engine), clock=CLOCK, seen=_lost(queued))
    assert rescue == (Rescue.SKIPPED, None)  # its queued poll carries it on
    rescue = rescue_job(job.id or 0, uow=SqlUnitOfWork(engine), clock=CLOCK, seen=_lost())
    assert rescue == (Rescue.REPOLLED, token + 1)  # its poll was lost: one new poll
    rescued = _request(engine, request.id or 0).jobs[0]
    assert (rescued.status, rescued.worker_id, rescued.lease) == (
        Status.PROCESSING,
        None,
        token + 1,
    )
    assert (rescued.provider_task_id, rescued.attempts) == ("task-9", 1)


def test_a_rescued_job_whose_call_never_began_keeps_its_attempts(engine: sa.Engine) -> None:
    request = _submitted(engine, batch=1)
    job = _claimed(engine, request.jobs[0].id or 0, call=False)
    rescue = rescue_job(job.id or 0, uow=SqlUnitOfWork(engine), clock=CLOCK, seen=_lost())
    assert rescue == (Rescue.REQUEUED, None)
    rescued = _request(engine, request.id or 0).jobs[0]
    assert (rescued.status, rescued.attempts, rescued.lease) == (Status.PENDING, 0, 1)


def test_a_rescued_job_past_its_deadline_fails_and_releases_its_hold(engine: sa.Engine) -> None:
    request = _submitted(engine, batch=1)
    job = _claimed(engine, request.jobs[0].id or 0)
    assert job.attempts_left > 0
    later = FakeClock((job.deadline_at or CLOCK.now()) + timedelta(seconds=1))
    rescue = rescue_job(job.id or 0, uow=SqlUnitOfWork(engine), clock=later, seen=_lost())
    assert rescue == (Rescue.FAILED, None)
    failed = _request(engine, request.id or 0)
    assert (failed.jobs[0].status, failed.jobs[0].error_code) == (Status.FAILED, "worker_lost")
    assert failed.status is Status.FAILED
    with SqlUnitOfWork(engine) as uow:
        assert uow.wallets.get(request.user_id).held == 0


def test_beginning_a_call_does_not_wait_for_the_disk_but_other_writes_do(
    clean_postgres_engine: sa.Engine,
) -> None:
    engine = clean_postgres_engine
    request = _submitted(engine, batch=1)
    job = _claimed(engine, request.jobs[0].id or 0, call=False)
    with engine.connect() as connection, connection.begin():
        runs = {"job": [job.id], "run_lease": [job.lease], "worker": "worker-1"}
        begun = connection.execute(job_statements.begin(), {**runs, "now": CLOCK.now()})
        assert [row.id for row in begun] == [job.id]
        assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "off"
    with engine.connect() as connection, connection.begin():
        assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
