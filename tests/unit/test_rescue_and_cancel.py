"""Rescuing the jobs nobody carries on, retries, deadlines and cooperative cancellation, on
fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from genmedia.application.errors import ProviderError
from genmedia.application.execution.policy import RetryPolicy
from genmedia.application.execution.polls import drop_stale_polls, take_poll
from genmedia.application.execution.rescue import Rescue, beat, rescue_orphans
from genmedia.application.execution.runner import JobRunner
from genmedia.application.execution.steps import begin_runs, claim_job, fail_job, requeue_job
from genmedia.application.generation.commands import CancelRequest, SubmitRequest
from genmedia.application.generation.requests import cancel_request, submit_request
from genmedia.domain.holds import HoldStatus
from genmedia.domain.scheduling import Retry
from genmedia.domain.status import Status
from tests.fakes import (
    FakeClock,
    FakeImageProcessor,
    FakeMetrics,
    FakeProvider,
    FakeQueue,
    FakeStorage,
)

HEARTBEAT_TIMEOUT = 30


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


def advance(uow, clock: FakeClock, seconds: float) -> None:
    """Let time pass, for the clock and for the heartbeats the fake registry stamps."""
    clock.advance(seconds)
    uow.db.now = clock.now()


def rescue(uow, clock, queue) -> dict[Rescue, int]:
    """One maintenance round's rescue; its counts, without the jobs it skipped."""
    counts = rescue_orphans(
        uow=lambda: uow, queue=queue, clock=clock, heartbeat_timeout=HEARTBEAT_TIMEOUT
    )
    return {outcome: n for outcome, n in counts.items() if n and outcome is not Rescue.SKIPPED}


def claim_and_die(uow, clock, job_id: int, *, call: bool, worker: str = "w1") -> None:
    """A worker claims the job, begins its provider call or not, and dies."""
    beat(worker, 1, uow=uow)
    job = claim_job(job_id, worker, uow=uow, clock=clock)
    assert job is not None
    if call:
        assert begin_runs({(job_id, job.lease)}, worker, uow=uow, now=clock.now()) == {
            job_id: False
        }
    advance(uow, clock, HEARTBEAT_TIMEOUT + 1)


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
    assert job_of(uow, job_id).attempts == 2


def test_a_rate_limited_submit_waits_its_retry_after_and_spends_no_attempt(
    uow, clock, queue, user
) -> None:
    limited = [
        ProviderError("rate_limited", "429", retryable=True, retry_after=30) for _ in range(5)
    ]
    provider = FakeProvider(errors=limited)
    work = runner(uow, clock, queue, provider, base_delay=1, max_delay=2)
    job_id = one_job(uow, clock, user)
    for _ in range(5):
        work.run(job_id)
        job = job_of(uow, job_id)
        assert (job.status, job.attempts, job.error_code) == (Status.PENDING, 0, "rate_limited")
        assert job.run_after - clock.now() == timedelta(seconds=30)
        advance(uow, clock, 30)
    work.run(job_id)
    job = job_of(uow, job_id)
    assert (job.status, job.attempts, len(provider.calls)) == (Status.COMPLETED, 1, 6)


def test_a_job_past_its_deadline_fails_and_releases_its_hold(uow, clock, queue, user) -> None:
    job_id = one_job(uow, clock, user)
    clock.advance(3600)
    runner(uow, clock, queue, FakeProvider(), job_timeout=timedelta(minutes=30)).run(job_id)
    job = job_of(uow, job_id)
    assert (job.status, job.error_code, job.attempts) == (Status.FAILED, "deadline_exceeded", 0)
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
    work.poll(*queue.take_poll(job_id))
    assert len(provider.calls) == 1
    assert queue.polls[-1] == (job_id, 7)
    job = job_of(uow, job_id)
    assert (job.status, job.attempts, len(queue.held)) == (Status.PROCESSING, 1, 1)


def test_cancelling_a_running_job_stops_it_at_its_next_poll(uow, clock, queue, user) -> None:
    work = runner(uow, clock, queue, FakeProvider(polls=3))
    job_id = one_job(uow, clock, user)
    request_id = job_of(uow, job_id).request_id
    work.run(job_id)
    cancel_request(CancelRequest(user_id=user.id, request_id=request_id), uow=uow, clock=clock)
    assert job_of(uow, job_id).cancel_requested
    work.poll(*queue.take_poll(job_id))
    assert job_of(uow, job_id).status is Status.CANCELLED
    assert {h.status for h in uow.db.holds.values()} == {HoldStatus.RELEASED}
    assert uow.db.wallets[user.id].held == 0


def test_a_job_whose_worker_died_before_its_provider_call_goes_back_with_its_attempts(
    uow, clock, queue, user
) -> None:
    job_id = one_job(uow, clock, user)
    claim_and_die(uow, clock, job_id, call=False)  # e.g. it only sat in the worker's prefetch
    assert rescue(uow, clock, queue) == {Rescue.REQUEUED: 1}
    job = job_of(uow, job_id)
    assert (job.status, job.attempts, job.error_code) == (Status.PENDING, 0, "worker_lost")


def test_a_job_never_called_keeps_its_attempts_however_often_its_worker_dies(
    uow, clock, queue, user
) -> None:
    job_id = one_job(uow, clock, user)
    for _ in range(10):  # more than max_attempts, within the 30 minutes of its deadline
        claim_and_die(uow, clock, job_id, call=False)
        assert rescue(uow, clock, queue) == {Rescue.REQUEUED: 1}
    assert job_of(uow, job_id).attempts == 0
    advance(uow, clock, 30 * 60)
    claim_and_die(uow, clock, job_id, call=False)
    assert rescue(uow, clock, queue) == {Rescue.FAILED: 1}
    job = job_of(uow, job_id)
    assert job.error_message == "the worker stopped and its deadline has passed"
    assert uow.db.wallets[user.id].held == 0


def test_a_job_whose_call_was_cut_off_on_every_attempt_fails_and_releases_its_hold(
    uow, clock, queue, user
) -> None:
    job_id = one_job(uow, clock, user)
    outcomes = []
    for _ in range(3):  # max_attempts: each worker dies during its provider call
        claim_and_die(uow, clock, job_id, call=True)
        outcomes.append(rescue(uow, clock, queue))
    assert outcomes == [{Rescue.REQUEUED: 1}, {Rescue.REQUEUED: 1}, {Rescue.FAILED: 1}]
    job = job_of(uow, job_id)
    assert (job.status, job.error_code, job.attempts) == (Status.FAILED, "worker_lost", 3)
    assert job.error_message == "the worker stopped and no attempt is left"
    assert uow.db.wallets[user.id].held == 0


def test_a_dead_workers_job_past_its_deadline_fails_though_attempts_are_left(
    uow, clock, queue, user
) -> None:
    job_id = one_job(uow, clock, user)
    beat("w1", 1, uow=uow)
    claim_job(job_id, "w1", uow=uow, clock=clock, job_timeout=timedelta(minutes=5))
    advance(uow, clock, 6 * 60)
    assert rescue(uow, clock, queue) == {Rescue.FAILED: 1}
    job = job_of(uow, job_id)
    assert (job.status, job.error_code, job.attempts_left) == (Status.FAILED, "worker_lost", 3)
    assert job.error_message == "the worker stopped and its deadline has passed"
    assert uow.db.wallets[user.id].held == 0


def waiting_job(uow, clock, queue, user, provider: FakeProvider) -> tuple[int, JobRunner]:
    """A job submitted by worker w1 (alive), now waiting on its provider's task."""
    job_id = one_job(uow, clock, user)
    beat("w1", 1, uow=uow)
    work = runner(uow, clock, queue, provider)
    work.run(job_id)
    assert len(queue.held) == 1
    return job_id, work


def test_a_job_whose_worker_died_while_polling_is_polled_again_once_not_resubmitted(
    uow, clock, queue, user
) -> None:
    provider = FakeProvider(polls=3)
    job_id, _ = waiting_job(uow, clock, queue, user, provider)
    job_id, token = queue.take_poll(job_id)  # w1 takes the poll, then dies: the message is lost
    assert take_poll(job_id, token, "w1", uow=uow) is not None
    advance(uow, clock, HEARTBEAT_TIMEOUT + 1)
    assert rescue(uow, clock, queue) == {Rescue.REPOLLED: 1}
    [(_, new_token)] = queue.held
    assert new_token == token + 1
    for _ in range(3):  # the next rounds leave it alone: its one poll is queued
        advance(uow, clock, HEARTBEAT_TIMEOUT + 1)
        assert rescue(uow, clock, queue) == {}
    assert queue.held == [(job_id, new_token)]
    assert len(provider.calls) == 1
    other = runner(uow, clock, queue, provider, worker="w2")
    beat("w2", 2, uow=uow)
    while queue.held:
        other.poll(*queue.take_poll(job_id))
    assert job_of(uow, job_id).status is Status.COMPLETED
    assert len(provider.calls) == 1


def test_a_job_whose_worker_died_while_polling_is_carried_on_by_its_queued_message(
    uow, clock, queue, user
) -> None:
    provider = FakeProvider(polls=2)
    job_id, _ = waiting_job(uow, clock, queue, user, provider)
    [(_, token)] = queue.held  # w1 took the message and died before acknowledging it
    assert take_poll(job_id, token, "w1", uow=uow) is not None
    advance(uow, clock, HEARTBEAT_TIMEOUT + 1)
    assert rescue(uow, clock, queue) == {Rescue.HANDED_OVER: 1}
    assert queue.held == [(job_id, token)]  # no second message
    assert job_of(uow, job_id).worker_id is None
    assert rescue(uow, clock, queue) == {}
    beat("w2", 2, uow=uow)
    other = runner(uow, clock, queue, provider, worker="w2")
    while queue.held:
        other.poll(*queue.take_poll(job_id))
    assert job_of(uow, job_id).status is Status.COMPLETED


def test_a_job_waiting_for_a_queued_poll_is_left_alone_however_long_no_worker_takes_it(
    uow, clock, queue, user
) -> None:
    job_id, _ = waiting_job(uow, clock, queue, user, FakeProvider(polls=2))
    for _ in range(5):
        advance(uow, clock, HEARTBEAT_TIMEOUT + 1)
        assert rescue(uow, clock, queue) == {}
    assert [message[0] for message in queue.held] == [job_id]
    assert len(queue.recovered) == 5  # each round first asked the queue to recover messages


def test_a_job_whose_queued_poll_was_lost_is_polled_again_once(uow, clock, queue, user) -> None:
    job_id, _ = waiting_job(uow, clock, queue, user, FakeProvider(polls=2))
    queue.held.clear()  # the broker lost it
    advance(uow, clock, HEARTBEAT_TIMEOUT + 1)
    assert rescue(uow, clock, queue) == {Rescue.REPOLLED: 1}
    advance(uow, clock, HEARTBEAT_TIMEOUT + 1)
    assert rescue(uow, clock, queue) == {}
    assert [message[0] for message in queue.held] == [job_id]


def test_a_live_workers_jobs_are_left_alone(uow, clock, queue, user) -> None:
    job_id = one_job(uow, clock, user)
    beat("w1", 1, uow=uow)
    runner(uow, clock, queue, FakeProvider(polls=3)).run(job_id)
    assert rescue(uow, clock, queue) == {}


def test_a_late_failure_of_an_attempt_leaves_a_job_that_was_given_back_to_pending(
    uow, clock, user
) -> None:
    job_id = one_job(uow, clock, user)
    claimed = claim_job(job_id, "w1", uow=uow, clock=clock)
    assert claimed is not None
    assert requeue_job(claimed, "worker_lost", "rescued", Retry(None, 0), uow=uow)
    assert not fail_job(claimed, "content_moderated", "late", uow=uow, clock=clock)
    job = job_of(uow, job_id)
    assert (job.status, job.error_code) == (Status.PENDING, "worker_lost")
    assert uow.db.holds[next(iter(uow.db.holds))].status is HoldStatus.PENDING


def test_stale_poll_messages_the_queue_holds_are_dropped_and_current_ones_kept(
    uow, clock, queue, user
) -> None:
    provider = FakeProvider(polls=5)
    job_id, work = waiting_job(uow, clock, queue, user, provider)
    [(_, token)] = queue.held
    work.poll(*queue.take_poll(job_id))
    queue.send_poll(job_id, 0.0, token)  # its worker died before acknowledging it
    queue.send_poll(999, 0.0, 1)  # a job that is gone
    assert drop_stale_polls(uow=uow, queue=queue) == 2
    assert queue.held == [(job_id, token + 1)]
    assert drop_stale_polls(uow=uow, queue=queue) == 0


def test_a_current_poll_message_sent_twice_is_kept(uow, clock, queue, user) -> None:
    job_id, _ = waiting_job(uow, clock, queue, user, FakeProvider(polls=5))
    [message] = queue.held
    queue.send_poll(job_id, 0.0, message[1])
    assert drop_stale_polls(uow=uow, queue=queue) == 0
    assert queue.held == [message, message]


def test_while_no_more_jobs_have_messages_than_wait_only_jobs_with_two_are_read(
    uow, clock, queue, user, monkeypatch
) -> None:
    provider = FakeProvider(polls=5)
    waiting_job(uow, clock, queue, user, provider)
    other = queue.held[0]
    queue.held.clear()
    first, work = waiting_job(uow, clock, queue, user, provider)
    [(_, token)] = queue.held
    queue.held.append(other)
    work.poll(*queue.take_poll(first))
    queue.send_poll(first, 0.0, token)  # its worker died before acknowledging it
    read: list[set[int]] = []
    find = type(uow.jobs).find

    def spied(self, ids):  # type: ignore[no-untyped-def]
        read.append(set(ids))
        return find(self, ids)

    monkeypatch.setattr(type(uow.jobs), "find", spied)
    assert drop_stale_polls(uow=uow, queue=queue) == 1
    assert read == [{first}]  # the other waiting job, with its one message, is not read
    assert sorted(queue.held) == sorted([(first, token + 1), other])
