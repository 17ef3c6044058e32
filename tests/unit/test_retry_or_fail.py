"""What follows a failed attempt: another one, or the end of the job (ARCHITECTURE §4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from genmedia.domain.job import Job
from genmedia.domain.scheduling import Fail, Retry

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _failed(attempts: int = 1, max_attempts: int = 3, deadline_in: float | None = 600) -> Job:
    deadline = None if deadline_in is None else NOW + timedelta(seconds=deadline_in)
    return Job(
        user_id=1, feature_id=1, attempts=attempts, max_attempts=max_attempts, deadline_at=deadline
    )


def test_a_failed_attempt_with_attempts_and_time_left_runs_again_after_the_delay() -> None:
    assert _failed().after_failure(NOW, 30) == Retry(NOW + timedelta(seconds=30))


def test_without_a_delay_the_next_attempt_may_run_at_once_in_its_place() -> None:
    assert _failed().after_failure(NOW) == Retry(None)


def test_a_job_whose_attempts_are_spent_fails() -> None:
    assert _failed(attempts=3).after_failure(NOW, 30) == Fail("no attempt is left")
    assert _failed(attempts=3).after_failure(NOW) == Fail("no attempt is left")


def test_a_job_whose_next_attempt_would_start_after_its_deadline_fails() -> None:
    assert _failed(deadline_in=20).after_failure(NOW, 30) == Fail("its deadline has passed")


def test_a_job_past_its_deadline_fails_even_without_a_delay() -> None:
    assert _failed(deadline_in=0).after_failure(NOW) == Fail("its deadline has passed")


def test_a_job_without_a_deadline_is_limited_by_its_attempts_only() -> None:
    assert _failed(deadline_in=None).after_failure(NOW, 10**6) == Retry(
        NOW + timedelta(seconds=10**6)
    )


@given(
    attempts=st.integers(0, 5),
    max_attempts=st.integers(1, 5),
    deadline_in=st.none() | st.floats(-100, 100),
    delay=st.floats(0, 100),
)
def test_a_retry_is_decided_as_the_runner_decided_it_inline(
    attempts: int, max_attempts: int, deadline_in: float | None, delay: float
) -> None:
    job = _failed(attempts, max_attempts, deadline_in)
    run_after = NOW + timedelta(seconds=delay)
    gives_up = job.attempts_left <= 0 or job.is_past_deadline(run_after)
    decision = job.after_failure(NOW, delay)
    if gives_up:
        assert isinstance(decision, Fail)
    else:
        assert decision == Retry(run_after)
