"""A request's progress from its jobs, and whether a stored job still runs an attempt."""

from __future__ import annotations

from genmedia.domain.status import Progress, Status, request_progress, runs_lease


def test_a_request_charges_what_its_completed_jobs_used_and_nothing_else() -> None:
    jobs = [(Status.COMPLETED, 3), (Status.FAILED, 5), (Status.COMPLETED, 2)]
    assert request_progress(Status.PROCESSING, jobs) == Progress(Status.COMPLETED, 5)


def test_a_request_that_left_pending_stays_started_while_its_retried_jobs_wait() -> None:
    waiting = [(Status.PENDING, 0), (Status.PENDING, 0)]
    assert request_progress(Status.PROCESSING, waiting) == Progress(Status.PROCESSING, 0)
    assert request_progress(Status.PENDING, waiting) == Progress(Status.PENDING, 0)


def test_a_request_starts_once_one_of_its_jobs_is_claimed() -> None:
    claimed = [(Status.PROCESSING, 0), (Status.PENDING, 0)]
    assert request_progress(Status.PENDING, claimed) == Progress(Status.PROCESSING, 0)


def test_a_request_without_jobs_is_pending() -> None:
    assert request_progress(Status.PENDING, []) == Progress(Status.PENDING, 0)


def test_only_the_run_under_a_processing_jobs_lease_may_write_its_outcome() -> None:
    assert runs_lease(Status.PROCESSING, 2, 2)
    assert not runs_lease(Status.PROCESSING, 2, 1)
    assert not runs_lease(Status.PENDING, 2, 2)
    assert not runs_lease(Status.COMPLETED, 2, 2)
