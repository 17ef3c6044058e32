"""The worker's side of a job, on fakes (EXE-1, EXE-2)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import attrs
import pytest

from genmedia.application.errors import ProviderError
from genmedia.application.execution.completion import Completion, StoredOutput
from genmedia.application.execution.dispatch import DispatchPolicy, dispatch_pending
from genmedia.application.execution.runner import JobRunner
from genmedia.application.execution.steps import load_job, requeue_job
from genmedia.application.generation.commands import CancelRequest, SubmitRequest
from genmedia.application.generation.requests import cancel_request, submit_request
from genmedia.domain.errors import AlreadyExists
from genmedia.domain.holds import HoldStatus
from genmedia.domain.job import Job
from genmedia.domain.media import ImageInfo, Media, MediaKind
from genmedia.domain.moderation import ModerationStage
from genmedia.domain.provider_cost import CostUnit, ProviderCost
from genmedia.domain.request import GenerationRequest
from genmedia.domain.scheduling import Retry
from genmedia.domain.status import Status
from genmedia.entrypoints.runtime.jobs import WorkerJobs
from tests.fakes import (
    FakeImageProcessor,
    FakeMetrics,
    FakeProvider,
    FakeQueue,
    FakeStorage,
    FakeUnitOfWork,
)
from tests.fakes.execution import SUBMIT_COST
from tests.waiting import wait_until


@pytest.fixture
def queue() -> FakeQueue:
    return FakeQueue()


@pytest.fixture
def storage() -> FakeStorage:
    return FakeStorage()


def runner(uow, clock, queue, storage, provider: FakeProvider) -> JobRunner:
    return JobRunner(
        uow=lambda: uow,
        storage=storage,
        images=FakeImageProcessor(),
        providers={"local": provider},
        queue=queue,
        clock=clock,
        worker_id="w1",
        metrics=FakeMetrics(),
    )


def in_runtime(uow, clock, queue, storage, provider: FakeProvider, **options) -> WorkerJobs:
    """The runner as a worker runtime runs it: claims at fetch, the completer."""
    return WorkerJobs.around(runner(uow, clock, queue, storage, provider), **options)


@pytest.fixture
def request_(uow, clock, user) -> GenerationRequest:
    cmd = SubmitRequest(user_id=user.id, template="neon-city", input_metadata={"batch_size": 2})
    return submit_request(cmd, uow=uow, clock=clock)


def test_dispatch_sends_pending_jobs_once(uow, clock, queue, request_) -> None:
    assert dispatch_pending(uow=uow, queue=queue, clock=clock, metrics=FakeMetrics()) == 2
    assert dispatch_pending(uow=uow, queue=queue, clock=clock, metrics=FakeMetrics()) == 0
    assert queue.runs == [j.id for j in request_.jobs]


def test_a_run_completes_the_job_with_media_and_charges_it(
    uow, clock, queue, storage, request_
) -> None:
    work = runner(uow, clock, queue, storage, FakeProvider())
    for job in request_.jobs:
        work.run(job.id)
    stored = uow.db.requests[request_.id]
    assert stored.status is Status.COMPLETED
    assert stored.credits_charged == request_.estimated_cost
    media = sorted(uow.db.media.values(), key=lambda m: m.job_id or 0)
    assert [m.kind for m in media] == [MediaKind.GENERATED] * 2
    assert all(storage.exists(m.storage_path) for m in media)
    assert media[0].storage_path.endswith(f"/j{request_.jobs[0].id}-0.png")


def test_a_second_delivery_of_the_same_job_changes_nothing(
    uow, clock, queue, storage, request_
) -> None:
    provider = FakeProvider()
    work = runner(uow, clock, queue, storage, provider)
    job_id = request_.jobs[0].id
    work.run(job_id)
    work.run(job_id)
    assert len(provider.calls) == 1
    assert len(uow.db.media) == 1


def test_an_async_job_waits_polls_and_completes(uow, clock, queue, storage, request_) -> None:
    work = runner(uow, clock, queue, storage, FakeProvider(polls=2))
    job_id = request_.jobs[0].id
    work.run(job_id)
    job = uow.db.requests[request_.id].job(job_id)
    assert (job.status, job.provider_task_id) == (Status.PROCESSING, f"t{job_id}")
    assert queue.polls == [(job_id, 0.5)]
    work.poll(*queue.take_poll(job_id))
    assert len(queue.polls) == 2
    work.poll(*queue.take_poll(job_id))
    assert uow.db.requests[request_.id].job(job_id).status is Status.COMPLETED
    assert queue.held == []
    assert len(uow.db.media) == 1


def test_the_cost_named_at_submit_is_kept_for_a_poll_that_knows_none(
    uow, clock, queue, storage, request_
) -> None:
    work = runner(uow, clock, queue, storage, FakeProvider(polls=1))
    job_id = request_.jobs[0].id
    work.run(job_id)
    assert uow.db.requests[request_.id].job(job_id).provider_cost == SUBMIT_COST
    work.poll(*queue.take_poll(job_id))
    job = uow.db.requests[request_.id].job(job_id)
    assert job.status is Status.COMPLETED
    assert job.provider_cost == ProviderCost(2, CostUnit.BFL_CREDITS)
    noted = (job.output_metadata["provider_cost"], job.output_metadata["provider_cost_unit"])
    assert noted == (2, "bfl_credits")


def test_a_result_that_names_its_cost_completes_the_job_with_it(
    uow, clock, queue, storage, request_
) -> None:
    work = runner(uow, clock, queue, storage, FakeProvider())
    job_id = request_.jobs[0].id
    work.run(job_id)
    job = uow.db.requests[request_.id].job(job_id)
    assert job.provider_cost == ProviderCost(0.01, CostUnit.USD)
    noted = (job.output_metadata["provider_cost"], job.output_metadata["provider_cost_unit"])
    assert noted == (0.01, "usd")


def test_a_refused_prompt_fails_the_job_with_the_provider_code(
    uow, clock, queue, storage, request_
) -> None:
    refusal = ProviderError("content_moderated", "the prompt was refused")
    work = runner(uow, clock, queue, storage, FakeProvider(errors=[refusal]))
    job_id = request_.jobs[0].id
    work.run(job_id)
    job = uow.db.requests[request_.id].job(job_id)
    assert (job.status, job.error_code, job.error_message) == (
        Status.FAILED,
        "content_moderated",
        "the prompt was refused",
    )
    assert uow.db.media == {}
    assert job.moderation_stage is None  # the provider did not say which stage


@pytest.mark.parametrize("stage", list(ModerationStage))
def test_a_moderated_job_records_the_stage_its_provider_blocked(
    uow, clock, queue, storage, request_, stage: ModerationStage
) -> None:
    refusal = ProviderError("content_moderated", "blocked", moderation=stage)
    work = runner(uow, clock, queue, storage, FakeProvider(errors=[refusal]))
    job_id = request_.jobs[0].id
    work.run(job_id)
    job = load_job(job_id, uow=uow)
    assert (job.status, job.moderation_stage) == (Status.FAILED, stage)
    assert job.output_metadata == {"moderation_stage": stage.value}


def test_a_retryable_error_sends_the_job_back_to_pending(
    uow, clock, queue, storage, request_
) -> None:
    busy = ProviderError("provider_unavailable", "503", retryable=True)
    work = runner(uow, clock, queue, storage, FakeProvider(errors=[busy]))
    job_id = request_.jobs[0].id
    work.run(job_id)
    job = uow.db.requests[request_.id].job(job_id)
    assert (job.status, job.attempts, job.dispatched_at) == (Status.PENDING, 1, None)
    work.run(job_id)
    assert uow.db.requests[request_.id].job(job_id).status is Status.COMPLETED


def test_a_retryable_error_fails_the_job_once_attempts_are_spent(
    uow, clock, queue, storage, request_
) -> None:
    errors = [ProviderError("provider_unavailable", "503", retryable=True) for _ in range(3)]
    work = runner(uow, clock, queue, storage, FakeProvider(errors=errors))
    job_id = request_.jobs[0].id
    for _ in range(3):
        work.run(job_id)
    job = uow.db.requests[request_.id].job(job_id)
    assert (job.status, job.error_code, job.attempts) == (Status.FAILED, "provider_unavailable", 3)


def test_a_cancelled_job_is_not_run(uow, clock, queue, storage, request_) -> None:
    from genmedia.application.generation.commands import CancelRequest
    from genmedia.application.generation.requests import cancel_request

    cancel_request(
        CancelRequest(user_id=request_.user_id, request_id=request_.id), uow=uow, clock=clock
    )
    provider = FakeProvider()
    runner(uow, clock, queue, storage, provider).run(request_.jobs[0].id)
    assert provider.calls == []


def stored_output(job_id: int) -> StoredOutput:
    info = ImageInfo(file_format="png", width=8, height=8, file_size=10, blurhash="L00000")
    return StoredOutput(index=0, storage_path=f"generated/j{job_id}/0.png", info=info)


def test_a_message_delivered_twice_in_one_claim_batch_is_claimed_for_one_thread(
    uow, clock, queue, storage, request_
) -> None:
    work = runner(uow, clock, queue, storage, FakeProvider())
    first, second = (job.id for job in request_.jobs)
    claimed = work.claims.claim_all([first, first, second])
    assert [job.id if job else None for job in claimed] == [first, None, second]
    jobs = uow.db.requests[request_.id].jobs
    assert [(j.lease, j.attempts) for j in jobs] == [(1, 0), (1, 0)]


def test_a_failing_completion_batch_is_retried_job_by_job_so_the_others_complete(
    uow, clock, queue, storage, request_
) -> None:
    work = runner(uow, clock, queue, storage, FakeProvider())
    first, second = (job.id for job in request_.jobs)
    claimed = work.claims.claim_all([first, second])
    with uow:  # a media row for the second job's output, so inserting it again fails
        uow.media.add(Media.generated(
            user_id=request_.user_id, request_id=request_.id, job_id=second, output_index=0,
            storage_path="elsewhere.png", info=stored_output(second).info,
        ))  # fmt: skip
        uow.commit()
    completions = [
        Completion(job=job, outputs=[stored_output(job.id)], metadata={})
        for job in claimed
        if job is not None
    ]
    outcomes = work.endings.complete_all(completions)
    assert outcomes[0] is True
    assert isinstance(outcomes[1], AlreadyExists)
    jobs = uow.db.requests[request_.id].jobs
    assert [j.status for j in jobs] == [Status.COMPLETED, Status.PROCESSING]


def test_of_two_attempts_of_a_job_in_one_completion_batch_only_the_one_it_runs_completes(
    uow, clock, queue, storage, request_
) -> None:
    work = runner(uow, clock, queue, storage, FakeProvider())
    job_id = request_.jobs[0].id
    [first] = work.claims.claim_all([job_id])
    requeue_job(first, "worker_lost", "rescued", Retry(None, 0), uow=uow)
    [second] = work.claims.claim_all([job_id])
    assert (first.lease, second.lease) == (1, 2)
    stale, live = (
        Completion(job=job, outputs=[stored_output(job_id)], metadata={}) for job in (first, second)
    )
    assert work.endings.complete_all([stale, live]) == [False, True]
    stored = uow.db.requests[request_.id].jobs[0]
    assert (stored.status, stored.lease) == (Status.COMPLETED, 2)


class GatedUnitOfWork(FakeUnitOfWork):
    """The shared fake unit of work, except that the completer's thread waits at `gate`
    before each transaction, or finds the database unreachable when `down`."""

    def __init__(self, shared: FakeUnitOfWork) -> None:
        super().__init__(shared.db)
        self.gate = threading.Event()
        self.gate.set()
        self.down = False
        self.refused = 0

    def __enter__(self) -> FakeUnitOfWork:
        if threading.current_thread().name == "genmedia-completer":
            assert self.gate.wait(10)
            if self.down:
                self.refused += 1
                raise ConnectionError("database unreachable")
        return super().__enter__()


def completing_runner(uow: FakeUnitOfWork, clock, queue, storage) -> WorkerJobs:
    return in_runtime(uow, clock, queue, storage, FakeProvider(), pause=0.01)


def run_with_database_down(
    uow, clock, queue, storage, job_id: int
) -> tuple[GatedUnitOfWork, WorkerJobs]:
    """Run the job with the completer started and the database refusing its transactions."""
    gated = GatedUnitOfWork(uow)
    gated.down = True
    work = completing_runner(gated, clock, queue, storage)
    work.completer.start()
    work.runner.run(job_id)
    return gated, work


def test_with_the_completer_running_a_run_returns_before_its_completion_is_written(
    uow, clock, queue, storage, request_
) -> None:
    gated = GatedUnitOfWork(uow)
    gated.gate.clear()
    work = completing_runner(gated, clock, queue, storage)
    job_id = request_.jobs[0].id
    work.completer.start()
    work.runner.run(job_id)
    assert uow.db.requests[request_.id].job(job_id).status is Status.PROCESSING
    assert storage.exists(f"generated/u{request_.user_id}/r{request_.id}/j{job_id}-0.png")
    gated.gate.set()
    assert work.completer.stop() == 0
    assert uow.db.requests[request_.id].job(job_id).status is Status.COMPLETED
    assert len(uow.db.media) == 1
    assert {h.status for h in uow.db.holds.values() if h.job_id == job_id} == {HoldStatus.CAPTURED}


def test_a_completion_the_completer_cannot_write_fails_its_job_as_an_internal_error(
    uow, clock, queue, storage, request_
) -> None:
    job_id = request_.jobs[0].id
    with uow:  # a media row for the job's output, so that inserting it again fails
        uow.media.add(Media.generated(
            user_id=request_.user_id, request_id=request_.id, job_id=job_id, output_index=0,
            storage_path="elsewhere.png", info=stored_output(job_id).info,
        ))  # fmt: skip
        uow.commit()
    work = completing_runner(GatedUnitOfWork(uow), clock, queue, storage)
    work.completer.start()
    work.runner.run(job_id)
    assert work.completer.stop() == 0
    job = uow.db.requests[request_.id].job(job_id)
    assert (job.status, job.error_code) == (Status.FAILED, "internal_error")
    assert {h.status for h in uow.db.holds.values() if h.job_id == job_id} == {HoldStatus.RELEASED}


def test_completions_kept_from_an_unreachable_database_are_written_once_it_is_back(
    uow, clock, queue, storage, request_
) -> None:
    job_id = request_.jobs[0].id
    gated, work = run_with_database_down(uow, clock, queue, storage, job_id)
    wait_until(lambda: gated.refused >= 4)  # two rounds: completing, then failing, refused
    assert uow.db.requests[request_.id].job(job_id).status is Status.PROCESSING
    gated.down = False
    assert work.completer.stop() == 0
    assert uow.db.requests[request_.id].job(job_id).status is Status.COMPLETED


def test_completions_the_database_never_takes_are_counted_when_the_completer_stops(
    uow, clock, queue, storage, request_
) -> None:
    job_id = request_.jobs[0].id
    _, work = run_with_database_down(uow, clock, queue, storage, job_id)
    assert work.completer.stop() == 1
    job = uow.db.requests[request_.id].job(job_id)
    assert (job.status, job.worker_id) == (Status.PROCESSING, "w1")


def test_a_failed_call_is_written_only_after_the_begin_the_completer_writes_for_it(
    uow, clock, queue, storage, request_
) -> None:
    gated = GatedUnitOfWork(uow)
    gated.gate.clear()  # the completer's thread holds the run's begin until the gate opens
    provider = FakeProvider(errors=[ProviderError("provider_unavailable", "503", retryable=True)])
    work = in_runtime(gated, clock, queue, storage, provider, pause=0.01)
    job_id = request_.jobs[0].id
    work.completer.start()
    running = threading.Thread(target=work.runner.run, args=(job_id,))
    running.start()
    wait_until(lambda: len(provider.calls) == 1)  # the call went out before its begin was written
    running.join(0.5)
    assert running.is_alive()  # its retry waits for the begin
    gated.gate.set()
    running.join(10)
    assert work.completer.stop() == 0
    job = load_job(job_id, uow=uow)
    assert (job.status, job.attempts, job.error_code) == (Status.PENDING, 1, "provider_unavailable")


def test_a_run_whose_begin_the_completer_writes_completes_with_one_attempt_spent(
    uow, clock, queue, storage, request_
) -> None:
    gated = GatedUnitOfWork(uow)
    gated.gate.clear()
    provider = FakeProvider()
    work = in_runtime(gated, clock, queue, storage, provider, pause=0.01)
    job_id = request_.jobs[0].id
    work.completer.start()
    work.runner.run(job_id)
    assert len(provider.calls) == 1
    gated.gate.set()
    assert work.completer.stop() == 0
    job = load_job(job_id, uow=uow)
    assert (job.status, job.attempts) == (Status.COMPLETED, 1)
    assert job.started_at is not None


class UnreachableQueue(FakeQueue):
    def send_runs(self, job_ids: Sequence[int]) -> None:
        raise ConnectionError("broker unreachable")


def test_a_round_whose_messages_cannot_be_sent_leaves_its_jobs_dispatchable_again(
    uow, clock, request_
) -> None:
    with pytest.raises(ConnectionError):
        dispatch_pending(uow=uow, queue=UnreachableQueue(), clock=clock, metrics=FakeMetrics())
    assert [j.dispatched_at for j in uow.db.requests[request_.id].jobs] == [None, None]
    queue = FakeQueue()
    assert dispatch_pending(uow=uow, queue=queue, clock=clock, metrics=FakeMetrics()) == 2
    assert queue.runs == [j.id for j in request_.jobs]


class RefusingUnitOfWork(FakeUnitOfWork):
    """The shared fake unit of work, unreachable while `down`."""

    def __init__(self, shared: FakeUnitOfWork) -> None:
        super().__init__(shared.db)
        self.down = False

    def __enter__(self) -> FakeUnitOfWork:
        if self.down:
            raise ConnectionError("database unreachable")
        return super().__enter__()


def claimed_ahead(work: WorkerJobs, job_ids: list[int]) -> WorkerJobs:
    """Start the runner's claims at fetch, as a worker runtime does, and claim these jobs."""
    work.ahead.start()
    work.ahead.fetched(job_ids)
    return work


def rescue_to_another_worker(work: WorkerJobs, job_id: int, uow) -> None:
    """Its first claim rescued, the job is claimed by worker w2."""
    requeue_job(load_job(job_id, uow=uow), "worker_lost", "rescued", Retry(None, 0), uow=uow)
    other = attrs.evolve(work.runner, worker_id="w2")
    assert [job.id for job in other.claims.claim_all([job_id]) if job] == [job_id]


def test_a_job_claimed_ahead_runs_without_being_claimed_again(
    uow, clock, queue, storage, request_
) -> None:
    work = in_runtime(uow, clock, queue, storage, FakeProvider())
    first, second = (job.id for job in request_.jobs)
    claimed_ahead(work, [first, second])
    jobs = uow.db.requests[request_.id].jobs
    claimed = [(Status.PROCESSING, 1, 0, "w1")] * 2  # a claim spends no attempt …
    assert [(j.status, j.lease, j.attempts, j.worker_id) for j in jobs] == claimed
    work.runner.run(first)
    work.runner.run(second)
    jobs = uow.db.requests[request_.id].jobs
    assert [(j.status, j.attempts) for j in jobs] == [(Status.COMPLETED, 1)] * 2  # … a call does


def test_a_job_claimed_ahead_whose_message_came_twice_runs_once(
    uow, clock, queue, storage, request_
) -> None:
    provider = FakeProvider()
    work = in_runtime(uow, clock, queue, storage, provider)
    job_id = request_.jobs[0].id
    claimed_ahead(work, [job_id, job_id])
    work.runner.run(job_id)
    work.runner.run(job_id)
    assert len(provider.calls) == 1
    assert uow.db.requests[request_.id].job(job_id).status is Status.COMPLETED


def test_when_claiming_ahead_fails_each_run_claims_its_own_job(
    uow, clock, queue, storage, request_
) -> None:
    refusing = RefusingUnitOfWork(uow)
    work = in_runtime(refusing, clock, queue, storage, FakeProvider())
    job_id = request_.jobs[0].id
    refusing.down = True
    claimed_ahead(work, [job_id])
    assert uow.db.requests[request_.id].job(job_id).status is Status.PENDING
    refusing.down = False
    work.runner.run(job_id)
    assert uow.db.requests[request_.id].job(job_id).status is Status.COMPLETED


def test_a_stopping_worker_gives_back_the_jobs_it_claimed_ahead_but_never_ran(
    uow, clock, queue, storage, request_
) -> None:
    work = in_runtime(uow, clock, queue, storage, FakeProvider())
    first, second = (job.id for job in request_.jobs)
    claimed_ahead(work, [first, second])
    work.runner.run(first)
    assert work.ahead.release() == 1
    done, given_back = uow.db.requests[request_.id].jobs
    assert done.status is Status.COMPLETED
    assert (given_back.status, given_back.attempts, given_back.worker_id) == (
        Status.PENDING,
        0,
        None,
    )
    assert given_back.dispatched_at is None
    assert dispatch_pending(uow=uow, queue=queue, clock=clock, metrics=FakeMetrics()) == 1
    assert queue.runs == [second]


def test_a_claim_ahead_is_not_undone_once_its_job_moved_on(
    uow, clock, queue, storage, request_
) -> None:
    work = in_runtime(uow, clock, queue, storage, FakeProvider())
    job_id = request_.jobs[0].id
    claimed_ahead(work, [job_id])
    rescue_to_another_worker(work, job_id, uow)
    assert work.ahead.release() == 0
    job = uow.db.requests[request_.id].job(job_id)
    assert (job.status, job.lease, job.worker_id) == (Status.PROCESSING, 2, "w2")


def test_a_job_claimed_ahead_whose_cancellation_was_requested_meanwhile_stops_before_its_call(
    uow, clock, queue, storage, request_, user
) -> None:
    provider = FakeProvider()
    work = in_runtime(uow, clock, queue, storage, provider)
    job_id = request_.jobs[0].id
    claimed_ahead(work, [job_id])
    cancel_request(CancelRequest(user_id=user.id, request_id=request_.id), uow=uow, clock=clock)
    work.runner.run(job_id)
    assert provider.calls == []
    assert uow.db.requests[request_.id].job(job_id).status is Status.CANCELLED
    assert {h.status for h in uow.db.holds.values() if h.job_id == job_id} == {HoldStatus.RELEASED}


def test_a_job_claimed_ahead_that_was_rescued_and_claimed_elsewhere_is_not_run_here(
    uow, clock, queue, storage, request_
) -> None:
    provider = FakeProvider()
    work = in_runtime(uow, clock, queue, storage, provider)
    job_id = request_.jobs[0].id
    claimed_ahead(work, [job_id])
    rescue_to_another_worker(work, job_id, uow)
    work.runner.run(job_id)
    assert provider.calls == []
    job = uow.db.requests[request_.id].job(job_id)
    assert (job.status, job.lease, job.attempts, job.worker_id) == (Status.PROCESSING, 2, 0, "w2")


def test_a_worker_claims_ahead_only_between_start_and_stop(
    uow, clock, queue, storage, request_
) -> None:
    work = in_runtime(uow, clock, queue, storage, FakeProvider())
    first, second = (job.id for job in request_.jobs)
    work.ahead.fetched([first])
    assert uow.db.requests[request_.id].job(first).status is Status.PENDING
    work.ahead.start()
    work.ahead.fetched([first])
    assert uow.db.requests[request_.id].job(first).status is Status.PROCESSING
    work.ahead.stop()
    work.ahead.fetched([second])
    assert uow.db.requests[request_.id].job(second).status is Status.PENDING


def test_a_stopping_worker_cancels_a_job_claimed_ahead_whose_cancellation_was_requested(
    uow, clock, queue, storage, request_, user
) -> None:
    work = in_runtime(uow, clock, queue, storage, FakeProvider())
    claimed_ahead(work, [job.id for job in request_.jobs])
    cancel_request(CancelRequest(user_id=user.id, request_id=request_.id), uow=uow, clock=clock)
    assert work.ahead.release() == 2
    assert [j.status for j in uow.db.requests[request_.id].jobs] == [Status.CANCELLED] * 2
    assert {h.status for h in uow.db.holds.values()} == {HoldStatus.RELEASED}
    assert uow.db.wallets[user.id].held == 0


def test_a_job_whose_run_cannot_begin_goes_back_to_pending_with_its_attempts_unspent(
    uow, clock, queue, storage, request_
) -> None:
    provider = FakeProvider()

    def failing_begin(job: Job) -> Job | None:
        raise OSError("the database went away for a moment")

    work = attrs.evolve(runner(uow, clock, queue, storage, provider), begin=failing_begin)
    job_id = request_.jobs[0].id or 0
    work.run(job_id)
    job = load_job(job_id, uow=uow)
    assert (job.status, job.worker_id, job.attempts) == (Status.PENDING, None, 0)
    assert provider.calls == []
    work = runner(uow, clock, queue, storage, provider)
    work.run(job_id)
    assert load_job(job_id, uow=uow).status is Status.COMPLETED


def test_a_task_whose_webhook_is_expected_is_polled_at_the_slower_webhook_pace(
    uow, clock, queue, storage, request_
) -> None:
    provider = FakeProvider(polls=2)
    provider.accepts_webhooks = True
    work = attrs.evolve(
        runner(uow, clock, queue, storage, provider), webhook_base="https://api.example.com/"
    )
    job_id = request_.jobs[0].id or 0
    work.run(job_id)
    assert provider.calls[0].webhook_url == "https://api.example.com/v1/webhooks/fake"
    assert queue.polls == [(job_id, work.retry.webhook_pace)]


def test_a_provider_without_webhooks_is_polled_at_its_own_pace_and_told_no_webhook(
    uow, clock, queue, storage, request_
) -> None:
    provider = FakeProvider(polls=2)
    work = attrs.evolve(
        runner(uow, clock, queue, storage, provider), webhook_base="https://api.example.com"
    )
    job_id = request_.jobs[0].id or 0
    work.run(job_id)
    assert provider.calls[0].webhook_url is None
    assert queue.polls == [(job_id, 0.5)]


def test_a_job_waiting_on_its_task_leaves_its_worker_slot_to_the_next_job(
    uow, clock, queue, storage, request_
) -> None:
    first, second = (job.id for job in request_.jobs)
    one = DispatchPolicy(max_in_flight=1, user_cap=1)

    def dispatched() -> int:
        return dispatch_pending(
            uow=uow, queue=queue, clock=clock, metrics=FakeMetrics(), policy=one
        )

    assert dispatched() == 1
    assert dispatched() == 0  # the one slot is taken
    runner(uow, clock, queue, storage, FakeProvider(polls=3)).run(first)
    assert uow.db.requests[request_.id].job(first).waits_on_task
    assert dispatched() == 1
    assert queue.runs == [first, second]
