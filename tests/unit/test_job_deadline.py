"""One wall-clock deadline per job covers its submit, its polls and its download; at the
deadline its task is cancelled at the provider (issue #18), on fakes."""

from __future__ import annotations

import pytest

from genmedia.application.errors import ProviderError
from genmedia.application.execution.runner import JobRunner
from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.generation.requests import submit_request
from genmedia.application.ports import Outcome, ProviderCall, Waiting
from genmedia.application.ports.work_deadline import seconds_left, work_until
from genmedia.domain.request import GenerationRequest
from genmedia.domain.scheduling import poll_delay
from genmedia.domain.status import Status
from tests.fakes import FakeProvider, FakeQueue
from tests.runners import fake_runner

JOB_TIMEOUT = 1800.0  # the runner's default: a job's deadline is this long after it was made


class SlowTask(FakeProvider):
    """Its task is never done; it asks to be polled in ten minutes, records the time left
    before the job's deadline during each call, and every cancel."""

    def __init__(self, *, poll_fails_at: float | None = None, clock=None) -> None:
        super().__init__()
        self.seen: list[float | None] = []
        self.cancelled: list[str] = []
        self._fails_at, self._clock = poll_fails_at, clock

    def submit(self, call: ProviderCall) -> Outcome:
        self.seen.append(seconds_left())
        return Waiting(task_id=f"t{call.job_id}", polling_url=None, poll_after=600)

    def poll(self, task_id: str, polling_url: str | None) -> Outcome:
        self.seen.append(seconds_left())
        if self._fails_at is not None:  # the call hangs past the deadline, then fails
            self._clock.advance(self._fails_at)
            raise ProviderError("provider_unavailable", "read timeout", retryable=True)
        return Waiting(task_id=task_id, polling_url=None, poll_after=600)

    def cancel(self, task_id: str, polling_url: str | None) -> None:
        self.cancelled.append(task_id)


def runner(uow, clock, queue, provider) -> JobRunner:
    return fake_runner(uow, clock, {"local": provider}, queue)


@pytest.fixture
def queue() -> FakeQueue:
    return FakeQueue()


@pytest.fixture
def request_(uow, clock, user) -> GenerationRequest:
    return submit_request(
        SubmitRequest(user_id=user.id, template="neon-city"), uow=uow, clock=clock
    )


def test_a_poll_is_due_no_later_than_the_deadline() -> None:
    assert poll_delay(600, webhook_expected=False, webhook_pace=30, deadline_in=5) == 5
    assert poll_delay(2, webhook_expected=True, webhook_pace=30, deadline_in=10) == 10
    assert poll_delay(2, webhook_expected=False, webhook_pace=30, deadline_in=10) == 2
    assert poll_delay(2, webhook_expected=False, webhook_pace=30, deadline_in=-3) == 0
    assert poll_delay(2, webhook_expected=False, webhook_pace=30) == 2


def test_a_calls_time_left_is_what_remains_of_its_deadline() -> None:
    assert seconds_left() is None
    with work_until(5):
        left = seconds_left()
        assert left is not None
        assert 0 < left <= 5
        with work_until(None):
            assert seconds_left() is None
    assert seconds_left() is None


def test_a_task_is_polled_at_its_jobs_deadline_and_cancelled_there(
    uow, clock, queue, request_
) -> None:
    provider = SlowTask()
    work = runner(uow, clock, queue, provider)
    job_id = request_.jobs[0].id
    clock.advance(JOB_TIMEOUT - 5)
    work.run(job_id)
    assert queue.polls == [(job_id, 5.0)]  # not the ten minutes the provider asked
    left = provider.seen[0]
    assert left is not None
    assert 0 < left <= 5
    clock.advance(5)
    work.poll(*queue.take_poll(job_id))
    job = uow.db.requests[request_.id].job(job_id)
    assert (job.status, job.error_code) == (Status.FAILED, "deadline_exceeded")
    assert provider.cancelled == [f"t{job_id}"]
    with uow:
        assert uow.wallets.get(request_.user_id).held == 0


def test_a_call_that_ends_after_the_deadline_fails_the_job_as_deadline_exceeded_and_cancels(
    uow, clock, queue, request_
) -> None:
    provider = SlowTask(poll_fails_at=60, clock=clock)
    work = runner(uow, clock, queue, provider)
    job_id = request_.jobs[0].id
    clock.advance(JOB_TIMEOUT - 30)
    work.run(job_id)
    work.poll(*queue.take_poll(job_id))  # polled at once: the fake clock did not move
    job = uow.db.requests[request_.id].job(job_id)
    assert (job.status, job.error_code) == (Status.FAILED, "deadline_exceeded")
    assert provider.cancelled == [f"t{job_id}"]
    assert queue.poll_messages() == []


class RateLimitedPolls(SlowTask):
    """Its polls are refused with a Retry-After of two minutes."""

    def poll(self, task_id: str, polling_url: str | None) -> Outcome:
        raise ProviderError("rate_limited", "429", retryable=True, retry_after=120.0)


def test_a_poll_put_off_by_a_retry_after_beyond_the_deadline_comes_at_the_deadline(
    uow, clock, queue, request_
) -> None:
    work = runner(uow, clock, queue, RateLimitedPolls())
    job_id = request_.jobs[0].id
    clock.advance(JOB_TIMEOUT - 30)
    work.run(job_id)
    clock.advance(10)
    work.poll(*queue.take_poll(job_id))
    job = uow.db.requests[request_.id].job(job_id)
    assert job.status is Status.PROCESSING
    assert queue.polls == [(job_id, 30.0), (job_id, 20.0)]  # not the two minutes asked
