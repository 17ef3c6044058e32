"""What follows a setback: another attempt, another poll, or the end of the job
(ARCHITECTURE §4). Attempts are spent only by provider calls that began."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from genmedia.domain.job import Job
from genmedia.domain.scheduling import Fail, PollAgain, Retry, Setback
from genmedia.domain.status import Status

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _failed(
    attempts: int = 1,
    max_attempts: int = 3,
    deadline_in: float | None = 600,
    *,
    began: bool = True,
    task: str | None = None,
) -> Job:
    deadline = None if deadline_in is None else NOW + timedelta(seconds=deadline_in)
    return Job(
        user_id=1,
        feature_id=1,
        status=Status.PROCESSING,
        attempts=attempts,
        max_attempts=max_attempts,
        deadline_at=deadline,
        started_at=NOW - timedelta(seconds=1) if began else None,
        provider_task_id=task,
    )


def test_a_failed_attempt_with_attempts_and_time_left_runs_again_after_the_delay() -> None:
    assert _failed().after_failure(NOW, 30) == Retry(NOW + timedelta(seconds=30), 1)


def test_without_a_delay_the_next_attempt_may_run_at_once_in_its_place() -> None:
    assert _failed().after_failure(NOW) == Retry(None, 1)


def test_a_job_whose_attempts_are_spent_fails() -> None:
    assert _failed(attempts=3).after_failure(NOW, 30) == Fail("no attempt is left", 3)
    assert _failed(attempts=3).after_failure(NOW) == Fail("no attempt is left", 3)


def test_a_job_whose_next_attempt_would_start_after_its_deadline_fails() -> None:
    assert _failed(deadline_in=20).after_failure(NOW, 30) == Fail("its deadline has passed", 1)


def test_a_job_past_its_deadline_fails_even_without_a_delay() -> None:
    assert _failed(deadline_in=0).after_failure(NOW) == Fail("its deadline has passed", 1)


def test_a_job_without_a_deadline_is_limited_by_its_attempts_only() -> None:
    assert _failed(deadline_in=None).after_failure(NOW, 10**6) == Retry(
        NOW + timedelta(seconds=10**6), 1
    )


def test_a_rate_limit_gives_its_attempt_back_even_the_last_one() -> None:
    decision = _failed(attempts=3).after_failure(NOW, 1, Setback.RATE_LIMITED)
    assert decision == Retry(NOW + timedelta(seconds=1), 2)


def test_a_rate_limit_waits_no_later_than_the_deadline_and_then_spends_nothing() -> None:
    decision = _failed(attempts=2, deadline_in=5).after_failure(NOW, 6, Setback.RATE_LIMITED)
    assert decision == Fail("its deadline has passed", 1)


def test_a_worker_lost_before_its_provider_call_spends_no_attempt() -> None:
    job = _failed(attempts=2, max_attempts=2, began=False)
    assert job.after_failure(NOW, setback=Setback.WORKER_LOST) == Retry(None, 2)


def test_a_worker_lost_during_its_provider_call_spends_the_attempt() -> None:
    job = _failed(attempts=3, began=True)
    assert job.after_failure(NOW, setback=Setback.WORKER_LOST) == Fail("no attempt is left", 3)
    assert _failed(attempts=2).after_failure(NOW, setback=Setback.WORKER_LOST) == Retry(None, 2)


def test_a_job_waiting_on_its_provider_is_polled_again_never_resubmitted() -> None:
    for setback in Setback:  # a rate-limited poll gives back nothing: its attempt made the task
        job = _failed(attempts=3, task="t1")
        assert job.after_failure(NOW, 2, setback) == PollAgain(NOW + timedelta(seconds=2))
    lost = _failed(task="t1").after_failure(NOW, setback=Setback.WORKER_LOST)
    assert lost == PollAgain(NOW)


def test_a_job_waiting_on_its_provider_is_polled_at_its_deadline_when_the_next_poll_is_later() -> (
    None
):
    decision = _failed(task="t1", deadline_in=1).after_failure(NOW, 2, Setback.RATE_LIMITED)
    assert decision == PollAgain(NOW + timedelta(seconds=1))  # that poll cancels the task


def test_a_job_waiting_on_its_provider_fails_once_its_deadline_has_passed() -> None:
    decision = _failed(task="t1", deadline_in=0).after_failure(NOW, 2, Setback.FAILED)
    assert decision == Fail("its deadline has passed", 1)


@given(
    attempts=st.integers(0, 5),
    max_attempts=st.integers(1, 5),
    deadline_in=st.none() | st.floats(-100, 100),
    delay=st.floats(0, 100),
    setback=st.sampled_from(Setback),
    began=st.booleans(),
    task=st.none() | st.just("t1"),
)
def test_a_setback_is_decided_from_the_attempts_spent_and_the_deadline(
    attempts: int,
    max_attempts: int,
    deadline_in: float | None,
    delay: float,
    setback: Setback,
    began: bool,
    task: str | None,
) -> None:
    job = _failed(attempts, max_attempts, deadline_in, began=began, task=task)
    at = NOW + timedelta(seconds=delay)
    spends = began and setback is not Setback.RATE_LIMITED
    kept = attempts if spends or not began or task is not None else attempts - 1
    decision = job.after_failure(NOW, delay, setback)
    if task is None and spends and attempts >= max_attempts:
        assert decision == Fail("no attempt is left", kept)
    elif task is not None and job.is_past_deadline(NOW):
        assert decision == Fail("its deadline has passed", kept)
    elif task is not None:  # polled no later than the deadline
        assert decision == PollAgain(min(at, job.deadline_at or at))
    elif job.is_past_deadline(at):
        assert decision == Fail("its deadline has passed", kept)
    else:
        assert decision == Retry(at, kept)
