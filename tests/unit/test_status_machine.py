"""The job and request state machines, checked by random walks (GEN-4, GEN-5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from genmedia.domain.errors import IllegalTransition, NothingToCancel
from genmedia.domain.job import Job
from genmedia.domain.job_input import JobInput
from genmedia.domain.provider_cost import CostUnit, ProviderCost
from genmedia.domain.request import GenerationRequest
from genmedia.domain.scheduling import Retry
from genmedia.domain.status import JOB_TRANSITIONS, Status, request_status

NOW = datetime(2026, 1, 1, tzinfo=UTC)
LATER = NOW + timedelta(seconds=5)
CREDITS = ProviderCost(4, CostUnit.BFL_CREDITS)
DOLLARS = ProviderCost(0.02, CostUnit.USD)


def act(job: Job, target: Status) -> None:
    match target:
        case Status.PROCESSING:
            job.start("w1")
        case Status.COMPLETED:
            job.complete(NOW, {"model": "m"}, 2)
        case Status.FAILED:
            job.fail("provider_error", "boom", NOW)
        case Status.CANCELLED:
            job.cancel(NOW)
        case Status.PENDING:
            job.requeue("provider_unavailable", "retry", Retry(None, job.attempts))


class JobMachine(RuleBasedStateMachine):
    """Any sequence of acts: allowed ones change the status, others raise and change nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.job = Job(user_id=1, feature_id=1, id=1)
        self.model = Status.PENDING
        self.starts = 0

    @rule(to=st.sampled_from(list(Status)))
    def try_transition(self, to: Status) -> None:
        before = self.job.status
        if to in JOB_TRANSITIONS[self.model]:
            act(self.job, to)
            self.model = to
            self.starts += to is Status.PROCESSING
        else:
            with pytest.raises(IllegalTransition):
                act(self.job, to)
            assert self.job.status is before

    @invariant()
    def status_matches_the_model(self) -> None:
        assert self.job.status is self.model
        assert self.job.lease == self.starts  # each start is a new lease …
        assert self.job.attempts == 0  # … and spends no attempt before its call begins

    @invariant()
    def a_finished_job_has_a_completion_time(self) -> None:
        if self.job.status.is_terminal:
            assert self.job.completed_at is not None

    @invariant()
    def only_a_failed_job_keeps_an_error_code_unless_pending_for_retry(self) -> None:
        if self.job.status is Status.COMPLETED:
            assert self.job.error_code is None


TestJobMachine = JobMachine.TestCase


class RequestMachine(RuleBasedStateMachine):
    """A request with three jobs always has the status its jobs imply."""

    def __init__(self) -> None:
        super().__init__()
        jobs = [Job(id=i, user_id=1, feature_id=1, input=JobInput(credits=3)) for i in range(3)]
        self.request = GenerationRequest(id=1, user_id=1, feature_id=1, jobs=jobs)
        self.started = False

    @rule(job_id=st.integers(0, 2), to=st.sampled_from(list(Status)))
    def move_a_job(self, job_id: int, to: Status) -> None:
        """Move a job as the worker's steps do, then make the request follow its jobs as
        the repository's `follow_all` does after every step."""
        job = self.request.job(job_id)
        try:
            match to:
                case Status.PROCESSING:
                    job.claim("w", NOW, timedelta(hours=1))
                case Status.COMPLETED:
                    job.deliver(NOW, {}, None)
                case Status.FAILED:
                    job.fail("x", "y", NOW)
                case Status.PENDING:
                    job.requeue("x", "y", Retry(None, job.attempts))
                case Status.CANCELLED:
                    job.cancel(NOW)
        except IllegalTransition:
            return
        self.request.refresh_status()

    @rule()
    def cancel(self) -> None:
        pending = [j for j in self.request.jobs if j.status is Status.PENDING]
        running = [j for j in self.request.jobs if j.status is Status.PROCESSING]
        if pending or any(not j.cancel_requested for j in running):
            self.request.cancel(NOW)
            assert all(j.status is Status.CANCELLED for j in pending)
            assert all(j.cancel_requested and j.status is Status.PROCESSING for j in running)
        else:
            with pytest.raises(NothingToCancel):
                self.request.cancel(NOW)

    @invariant()
    def status_follows_the_jobs(self) -> None:
        statuses = [j.status for j in self.request.jobs]
        status = self.request.status
        if all(s is Status.COMPLETED for s in statuses):
            assert status is Status.COMPLETED
        if all(s is Status.FAILED for s in statuses):
            assert status is Status.FAILED
        if any(not s.is_terminal for s in statuses):
            assert not status.is_terminal
        if all(s.is_terminal for s in statuses) and Status.COMPLETED in statuses:
            assert status is Status.COMPLETED

    @invariant()
    def a_started_request_never_goes_back_to_pending(self) -> None:
        if self.started:
            assert self.request.status is not Status.PENDING
        self.started = self.request.status is not Status.PENDING

    @invariant()
    def only_completed_jobs_are_charged(self) -> None:
        done = sum(1 for j in self.request.jobs if j.status is Status.COMPLETED)
        assert self.request.credits_charged == 3 * done


TestRequestMachine = RequestMachine.TestCase


def test_a_request_with_completed_and_failed_jobs_is_completed() -> None:
    assert request_status([Status.COMPLETED, Status.FAILED]) is Status.COMPLETED


def test_a_request_whose_jobs_all_failed_is_failed() -> None:
    assert request_status([Status.FAILED, Status.FAILED]) is Status.FAILED


def test_a_request_with_one_started_job_is_processing() -> None:
    assert request_status([Status.PENDING, Status.COMPLETED]) is Status.PROCESSING


def test_a_request_whose_jobs_all_wait_is_pending() -> None:
    assert request_status([Status.PENDING, Status.PENDING]) is Status.PENDING


def test_a_started_request_whose_jobs_all_wait_again_stays_processing() -> None:
    assert request_status([Status.PENDING, Status.PENDING], started=True) is Status.PROCESSING


def test_a_request_whose_jobs_were_all_cancelled_is_cancelled() -> None:
    assert request_status([Status.CANCELLED, Status.CANCELLED]) is Status.CANCELLED


def test_releasing_a_claimed_job_makes_it_pending_with_its_attempt_unspent() -> None:
    job = Job(user_id=1, feature_id=1, dispatched_at=NOW)
    job.start("w1")
    job.release()
    assert (job.status, job.attempts, job.worker_id) == (Status.PENDING, 0, None)
    assert job.started_at is None
    assert job.dispatched_at is None


def test_a_job_whose_provider_call_began_cannot_be_released() -> None:
    job = Job(user_id=1, feature_id=1)
    job.start("w1")
    job.begin(NOW)
    with pytest.raises(IllegalTransition):
        job.release()
    assert (job.status, job.attempts, job.started_at) == (Status.PROCESSING, 1, NOW)


def test_a_claim_takes_a_new_lease_and_spends_no_attempt_until_the_call_begins() -> None:
    job = Job(user_id=1, feature_id=1, attempts=1, lease=4, started_at=NOW)
    job.claim("w1", NOW, timedelta(hours=1))
    assert (job.lease, job.attempts, job.started_at, job.worker_id) == (5, 1, None, "w1")
    assert job.awaits_call(5, "w1")
    assert not job.awaits_call(4, "w1")
    assert not job.awaits_call(5, "w2")
    job.begin(NOW)
    assert (job.attempts, job.started_at) == (2, NOW)
    assert not job.awaits_call(5, "w1")


def test_a_job_whose_cancellation_was_requested_is_not_begun() -> None:
    job = Job(user_id=1, feature_id=1)
    job.start("w1")
    job.request_cancel()
    with pytest.raises(IllegalTransition):
        job.begin(NOW)
    assert (job.attempts, job.started_at) == (0, None)


def _running(credits: int = 4) -> Job:
    job = Job(user_id=1, feature_id=1, input=JobInput(credits=credits))
    job.start("w1")
    job.begin(NOW)
    return job


def test_recording_a_task_remembers_its_handle_and_cost_and_waits_for_one_poll() -> None:
    job = _running()
    lease = job.lease
    token = job.record_task("task-1", "https://poll/1", CREDITS, LATER)
    assert (job.provider_task_id, job.provider_polling_url) == ("task-1", "https://poll/1")
    assert (job.worker_id, job.provider_cost, job.run_after) == (None, CREDITS, LATER)
    assert token == job.lease == lease + 1
    job.take_poll(token, "w2")
    job.record_task("task-1", "https://poll/1", None, LATER)  # a poll names no cost
    assert job.provider_cost == CREDITS


def test_a_poll_message_takes_the_job_once_and_only_with_the_current_token() -> None:
    job = _running()
    token = job.record_task("task-1", None, None, LATER)
    assert not job.awaits_poll(token - 1)
    with pytest.raises(IllegalTransition):
        job.take_poll(token - 1, "w2")
    job.take_poll(token, "w2")
    assert job.worker_id == "w2"
    with pytest.raises(IllegalTransition):  # a second copy of the same message
        job.take_poll(token, "w3")
    assert job.worker_id == "w2"
    assert job.await_poll(LATER) == token + 1
    assert not job.awaits_poll(token)
    assert job.awaits_poll(token + 1)


def test_a_job_waiting_on_its_provider_is_handed_over_without_its_worker() -> None:
    job = _running()
    token = job.record_task("task-1", None, None, LATER)
    job.take_poll(token, "w2")
    job.hand_over()
    assert (job.status, job.worker_id, job.provider_task_id) == (Status.PROCESSING, None, "task-1")
    assert job.awaits_poll(token)  # the message w2 took carries it on once given back


def test_a_webhook_moves_a_later_poll_to_now_once_and_makes_the_older_message_stale() -> None:
    job = _running()
    token = job.record_task("task-1", None, None, LATER)
    hurried = job.hurry_poll(NOW)
    assert hurried == token + 1
    assert (job.run_after, job.worker_id) == (NOW, None)
    assert not job.awaits_poll(token)
    assert job.awaits_poll(hurried)
    assert job.hurry_poll(NOW) is None  # a second delivery: the poll is due already
    assert job.lease == hurried


def test_a_webhook_hurries_nothing_while_a_worker_polls_or_before_the_task_exists() -> None:
    job = _running()
    assert job.hurry_poll(NOW) is None  # no task yet: its submit is under way
    token = job.record_task("task-1", None, None, LATER)
    job.take_poll(token, "w2")
    assert job.hurry_poll(NOW) is None
    assert (job.lease, job.worker_id, job.run_after) == (token, "w2", LATER)


def test_a_job_not_waiting_on_its_provider_cannot_be_handed_over_or_wait_for_a_poll() -> None:
    job = _running()
    with pytest.raises(IllegalTransition):
        job.hand_over()
    with pytest.raises(IllegalTransition):
        job.await_poll(LATER)
    assert (job.worker_id, job.lease) == ("w1", 1)


def test_a_delivered_job_is_charged_its_full_cost_which_its_metadata_records() -> None:
    job = _running(credits=4)
    job.deliver(NOW, {"model": "m"}, DOLLARS)
    assert (job.status, job.credits_used, job.provider_cost) == (Status.COMPLETED, 4, DOLLARS)
    assert job.output_metadata == {"model": "m", "credits_charged": 4}


def test_a_delivery_that_names_no_provider_cost_keeps_the_one_recorded_at_submit() -> None:
    job = _running()
    job.record_task("task-1", None, CREDITS, LATER)
    job.deliver(NOW, {}, None)
    assert job.provider_cost == CREDITS


def test_a_delivery_that_names_its_provider_cost_replaces_the_one_recorded_at_submit() -> None:
    job = _running()
    job.record_task("task-1", None, CREDITS, LATER)
    job.deliver(NOW, {}, DOLLARS)
    assert job.provider_cost == DOLLARS


@pytest.mark.parametrize(("paid", "state"), [(0, "unpaid"), (3, "partial")])
def test_a_job_charged_short_records_what_was_paid(paid: int, state: str) -> None:
    job = _running(credits=4)
    job.deliver(NOW, {"model": "m"}, None)
    job.charge_short(paid)
    assert job.credits_used == paid
    assert job.output_metadata == {"model": "m", "credits_charged": paid, "billing": state}


@pytest.mark.parametrize("paid", [-1, 4, 5])
def test_a_short_charge_is_less_than_the_cost_and_not_negative(paid: int) -> None:
    job = _running(credits=4)
    job.deliver(NOW, {}, None)
    with pytest.raises(IllegalTransition):
        job.charge_short(paid)
    assert job.credits_used == 4


def test_only_a_delivered_job_can_be_charged_short() -> None:
    with pytest.raises(IllegalTransition):
        _running(credits=4).charge_short(1)
