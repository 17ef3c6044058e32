"""The job and request status machines (SPEC GEN-4, GEN-5)."""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from genmedia.domain.errors import IllegalTransition


class Status(enum.StrEnum):
    """Status of a job, and of a request, which follows its jobs."""

    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        """Whether nothing more can happen to a job in this status."""
        return self in TERMINAL


TERMINAL = frozenset({Status.COMPLETED, Status.FAILED, Status.CANCELLED})

JOB_TRANSITIONS: dict[Status, frozenset[Status]] = {
    # pending → failed covers a job that expires or cannot be dispatched before it starts.
    Status.PENDING: frozenset({Status.PROCESSING, Status.CANCELLED, Status.FAILED}),
    # processing → pending is a retry or the rescue of a job whose worker died.
    Status.PROCESSING: frozenset(
        {Status.COMPLETED, Status.FAILED, Status.CANCELLED, Status.PENDING}
    ),
    Status.COMPLETED: frozenset(),
    Status.FAILED: frozenset(),
    Status.CANCELLED: frozenset(),
}


def check_job_transition(current: Status, target: Status) -> None:
    """Raise IllegalTransition unless a job may go from `current` to `target`."""
    if target not in JOB_TRANSITIONS[current]:
        raise IllegalTransition("job", current.value, target.value)


def request_status(job_statuses: Iterable[Status], *, started: bool = False) -> Status:
    """The status a request has when its jobs have these statuses (API.md rules).

    A request that has `started` (left pending) never goes back to pending, even while
    a retried job waits for its next attempt: its lifecycle only moves forward (GEN-5).
    """
    statuses = list(job_statuses)
    if not statuses:
        return Status.PENDING
    if any(not s.is_terminal for s in statuses):
        waiting = all(s is Status.PENDING for s in statuses)
        return Status.PENDING if waiting and not started else Status.PROCESSING
    for outcome in (Status.COMPLETED, Status.FAILED):
        if outcome in statuses:
            return outcome
    return Status.CANCELLED


@attrs.frozen
class Progress:
    """Where a request stands: its status, and the credits its completed jobs charged."""

    status: Status
    credits_charged: int


def request_progress(was: Status, jobs: Iterable[tuple[Status, int]]) -> Progress:
    """The progress of a request that had status `was`, now that its jobs have these
    (status, credits used): a request that left pending has started, and it charges what
    its completed jobs used."""
    states = list(jobs)
    status = request_status((s for s, _ in states), started=was is not Status.PENDING)
    return Progress(status, sum(credits for s, credits in states if s is Status.COMPLETED))


def runs_lease(status: Status, lease: int, given: int) -> bool:
    """Whether a job stored with this status and lease still runs under the `given` lease:
    only then may the outcome of that run be written."""
    return status is Status.PROCESSING and lease == given
