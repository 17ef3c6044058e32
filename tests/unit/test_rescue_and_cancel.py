"""Rescuing the jobs of dead workers, retries, deadlines and cooperative cancellation, on fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from genmedia.application.errors import ProviderError
from genmedia.application.execution.rescue import Rescue, beat, rescue_orphans
from genmedia.application.execution.runner import JobRunner, RetryPolicy
from genmedia.application.execution.steps import claim_job, fail_job, requeue_job
from genmedia.application.generation.commands import CancelRequest, SubmitRequest
from genmedia.application.generation.requests import cancel_request, submit_request
from genmedia.domain.holds import HoldStatus
from genmedia.domain.status import Status
from tests.fakes import FakeImageProcessor, FakeMetrics, FakeProvider, FakeQueue, FakeStorage


@pytest.fixture
def queue() -> FakeQueue:
    return FakeQueue()


def runner(uow, clock, queue, provider: FakeProvider, worker: str = "w1", **retry) -> JobRunner:
    return JobRunner(
        uow=lambda: uow, storage=FakeStorage(), images=FakeImageProcessor(),
        providers={"local": provider}, queue=queue, clock=clock, worker_id=worker,
        metrics=FakeMetrics(),
        retry=RetryPolicy(**retry),
    )  # fmt: skip


def one_job(uow, clock, user) -> int:
    request = submit_request(
        SubmitRequest(user_id=user.id, template="neon-city"), uow=uow, clock=clock
    )
    return request.jobs[0].id


def job_of(uow, job_id: int):
    return next(j for r in uow.db.requests.values() for j in r.jobs if j.id == job_id)


def test_a_retryable_error_waits_a_growing_delay_before_the_next_attempt(
    uow, clock, queue, user
) -> None:
    busy = [ProviderError("provider_unavailable", "503", retryable=True) for _ in range(2)]
    work = runner(uow, clock, queue, FakeProvider(errors=busy), base_delay=10, max_delay=100)
    job_id = one_job(uow, clock, user)
    work.run(job_id)
    first = job_of(uow, job_id).run_after - clock.now()
    work.run(job_id)
    second = job_of(uow, job_id).run_after - clock.now()
    assert timedelta(seconds=5) <= first <= timedelta(seconds=10) < second <= timedelta(seconds=20)


def test_a_job_past_its_deadline_fails_and_releases_its_hold(uow, clock, queue, user) -> None:
    job_id = one_job(uow, clock, user)
    clock.advance(3600)
    runner(uow, clock, queue, FakeProvider(), job_timeout=timedelta(minutes=30)).run(job_id)
    job = job_of(uow, job_id)
    assert (job.status, job.error_code) == (Status.FAILED, "deadline_exceeded")
    assert uow.db.wallets[user.id].held == 0


def test_a_passing_error_while_polling_polls_again_instead_of_resubmitting(
    uow, clock, queue, user
) -> None:
    provider = FakeProvider(polls=2)
    work = runner(uow, clock, queue, provider)
    job_id = one_job(uow, clock, user)
    work.run(job_id)
    provider.poll = lambda task_id, url: (_ for _ in ()).throw(  # type: ignore[method-assign]
        ProviderError("rate_limited", "429", retryable=True, retry_after=7)
    )
    work.poll(job_id)
    assert len(provider.calls) == 1
    assert queue.polls[-1] == (job_id, 7)
    assert job_of(uow, job_id).status is Status.PROCESSING


def test_cancelling_a_running_job_stops_it_at_its_next_poll(uow, clock, queue, user) -> None:
    work = runner(uow, clock, queue, FakeProvider(polls=3))
    job_id = one_job(uow, clock, user)
    request_id = job_of(uow, job_id).request_id
    work.run(job_id)
    cancel_request(CancelRequest(user_id=user.id, request_id=request_id), uow=uow, clock=clock)
    assert job_of(uow, job_id).cancel_requested
    work.poll(job_id)
    assert job_of(uow, job_id).status is Status.CANCELLED
    assert {h.status for h in uow.db.holds.values()} == {HoldStatus.RELEASED}
    assert uow.db.wallets[user.id].held == 0


def test_a_dead_workers_job_goes_back_to_pending(uow, clock, queue, user) -> None:
    job_id = one_job(uow, clock, user)
    beat("w1", 1, uow=uow)
    claim_job(job_id, "w1", uow=uow, clock=clock)  # the worker dies right after its claim
    assert job_of(uow, job_id).status is Status.PROCESSING
    uow.db.now += timedelta(seconds=60)
    counts = rescue_orphans(uow=lambda: uow, queue=queue, clock=clock_at(uow), heartbeat_timeout=30)
    assert counts[Rescue.REQUEUED] == 1
    assert job_of(uow, job_id).status is Status.PENDING


def test_a_dead_workers_job_fails_once_its_attempts_are_spent_and_releases_its_hold(
    uow, clock, queue, user
) -> None:
    job_id = one_job(uow, clock, user)
    beat("w1", 1, uow=uow)
    outcomes = []
    for _ in range(3):  # max_attempts: each worker dies right after its claim
        claim_job(job_id, "w1", uow=uow, clock=clock_at(uow))
        uow.db.now += timedelta(seconds=60)
        counts = rescue_orphans(
            uow=lambda: uow, queue=queue, clock=clock_at(uow), heartbeat_timeout=30
        )
        outcomes.append(next(outcome for outcome, n in counts.items() if n))
    assert outcomes == [Rescue.REQUEUED, Rescue.REQUEUED, Rescue.FAILED]
    job = job_of(uow, job_id)
    assert (job.status, job.error_code) == (Status.FAILED, "worker_lost")
    assert job.error_message == "the worker stopped and no attempt is left"
    assert uow.db.wallets[user.id].held == 0


def test_a_dead_workers_job_past_its_deadline_fails_though_attempts_are_left(
    uow, clock, queue, user
) -> None:
    job_id = one_job(uow, clock, user)
    beat("w1", 1, uow=uow)
    claim_job(job_id, "w1", uow=uow, clock=clock_at(uow), job_timeout=timedelta(minutes=5))
    uow.db.now += timedelta(minutes=6)
    counts = rescue_orphans(uow=lambda: uow, queue=queue, clock=clock_at(uow), heartbeat_timeout=30)
    assert counts[Rescue.FAILED] == 1
    job = job_of(uow, job_id)
    assert (job.status, job.error_code, job.attempts_left) == (Status.FAILED, "worker_lost", 2)
    assert job.error_message == "the worker stopped and its deadline has passed"
    assert uow.db.wallets[user.id].held == 0


def test_a_dead_workers_job_waiting_on_its_provider_is_polled_not_resubmitted(
    uow, clock, queue, user
) -> None:
    job_id = one_job(uow, clock, user)
    beat("w1", 1, uow=uow)
    provider = FakeProvider(polls=3)
    runner(uow, clock, queue, provider).run(job_id)
    uow.db.now += timedelta(seconds=60)
    counts = rescue_orphans(uow=lambda: uow, queue=queue, clock=clock_at(uow), heartbeat_timeout=30)
    assert counts[Rescue.REPOLLED] == 1
    assert queue.polls[-1] == (job_id, 0.0)
    assert len(provider.calls) == 1


def test_a_live_workers_jobs_are_left_alone(uow, clock, queue, user) -> None:
    job_id = one_job(uow, clock, user)
    beat("w1", 1, uow=uow)
    runner(uow, clock, queue, FakeProvider(polls=3)).run(job_id)
    counts = rescue_orphans(uow=lambda: uow, queue=queue, clock=clock_at(uow), heartbeat_timeout=30)
    assert sum(counts.values()) == 0


class _Clock:
    def __init__(self, uow) -> None:
        self.uow = uow

    def now(self):
        return self.uow.db.now


def clock_at(uow):  # the rescuer compares with the same time the fake registry records
    return _Clock(uow)


def test_a_late_failure_of_an_attempt_leaves_a_job_that_was_given_back_to_pending(
    uow, clock, user
) -> None:
    job_id = one_job(uow, clock, user)
    claimed = claim_job(job_id, "w1", uow=uow, clock=clock)
    assert claimed is not None
    assert requeue_job(job_id, claimed.attempts, "worker_lost", "rescued", uow=uow)
    assert not fail_job(job_id, claimed.attempts, "content_moderated", "late", uow=uow, clock=clock)
    job = job_of(uow, job_id)
    assert (job.status, job.error_code) == (Status.PENDING, "worker_lost")
    assert uow.db.holds[next(iter(uow.db.holds))].status is HoldStatus.PENDING
