"""Provider webhooks: a verified delivery hurries the one poll chain of its job (EXE-2)."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

from genmedia.application.execution.runner import JobRunner
from genmedia.application.execution.webhooks import receive_webhook
from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.generation.requests import submit_request
from genmedia.application.ports import WebhookVerifier
from genmedia.domain.errors import InvalidSignature, NotFound
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status
from tests.fakes import (
    FakeClock,
    FakeImageProcessor,
    FakeMetrics,
    FakeProvider,
    FakeQueue,
    FakeStorage,
    FakeUnitOfWork,
)

SECRET = "s3cret"


class SharedSecretVerifier(WebhookVerifier):
    """Genuine when the delivery carries the shared secret; the body names the task."""

    provider = "local"

    def task_of(self, headers: Mapping[str, str], body: bytes) -> str:
        if headers.get("x-secret") != SECRET:
            raise InvalidSignature("the webhook secret does not match")
        return str(json.loads(body)["id"])


@pytest.fixture
def queue() -> FakeQueue:
    return FakeQueue()


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider(polls=1)


@pytest.fixture
def work(uow, clock, queue, provider) -> JobRunner:
    return JobRunner(
        uow=lambda: uow,
        storage=FakeStorage(),
        images=FakeImageProcessor(),
        providers={"local": provider},
        queue=queue,
        clock=clock,
        worker_id="w1",
        metrics=FakeMetrics(),
    )


@pytest.fixture
def waiting(uow, clock, user, work) -> int:
    """The id of a job whose provider task was submitted and waits for its poll."""
    cmd = SubmitRequest(user_id=user.id, template="neon-city")
    request: GenerationRequest = submit_request(cmd, uow=uow, clock=clock)
    job_id = request.jobs[0].id or 0
    work.run(job_id)
    return job_id


def deliver(uow, clock, queue, task: str, secret: str = SECRET, provider: str = "local"):
    headers = {"x-secret": secret}
    body = json.dumps({"id": task, "status": "Ready"}).encode()
    verifiers = {"local": SharedSecretVerifier()}
    return receive_webhook(
        provider, headers, body, verifiers=verifiers, uow=uow, queue=queue, clock=clock
    )


def test_a_verified_webhook_hurries_the_poll_which_completes_the_job(
    uow: FakeUnitOfWork, clock: FakeClock, queue: FakeQueue, work: JobRunner, waiting: int
) -> None:
    [(_, first)] = queue.held
    assert deliver(uow, clock, queue, f"t{waiting}") == [waiting]
    assert queue.polls[-1] == (waiting, 0.0)
    work.poll(*queue.take_poll(waiting))  # the message sent before: stale, dropped
    assert uow.jobs.get(waiting).status is Status.PROCESSING
    work.poll(*queue.take_poll(waiting))
    assert uow.jobs.get(waiting).status is Status.COMPLETED
    assert queue.held == []
    assert first < uow.jobs.get(waiting).lease


def test_a_webhook_delivered_three_times_leaves_one_poll_chain(
    uow: FakeUnitOfWork, clock: FakeClock, queue: FakeQueue, work: JobRunner, waiting: int
) -> None:
    hurried = [deliver(uow, clock, queue, f"t{waiting}") for _ in range(3)]
    assert hurried == [[waiting], [], []]
    job = uow.jobs.get(waiting)
    assert [token for _, token in queue.held if job.is_current_poll(token)] == [job.lease]


def test_a_forged_webhook_changes_nothing(
    uow: FakeUnitOfWork, clock: FakeClock, queue: FakeQueue, waiting: int
) -> None:
    before = uow.jobs.get(waiting).lease
    with pytest.raises(InvalidSignature):
        deliver(uow, clock, queue, f"t{waiting}", secret="guess")
    assert uow.jobs.get(waiting).lease == before
    assert len(queue.held) == 1


def test_a_webhook_of_an_unknown_provider_is_not_found(
    uow: FakeUnitOfWork, clock: FakeClock, queue: FakeQueue, waiting: int
) -> None:
    with pytest.raises(NotFound):
        deliver(uow, clock, queue, f"t{waiting}", provider="nobody")


def test_a_webhook_while_a_worker_polls_the_task_or_for_another_task_hurries_nothing(
    uow: FakeUnitOfWork,
    clock: FakeClock,
    queue: FakeQueue,
    provider: FakeProvider,
    work: JobRunner,
    waiting: int,
) -> None:
    assert deliver(uow, clock, queue, "t-unknown") == []
    job = uow.jobs.get(waiting)
    with uow:
        job = uow.jobs.get(waiting)
        job.take_poll(job.lease, "w2")
        uow.jobs.save(job)
        uow.commit()
    assert deliver(uow, clock, queue, f"t{waiting}") == []
    assert len(queue.held) == 1
