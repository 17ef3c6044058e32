"""A job: one unit of provider work inside a generation request (SPEC GEN-4, EXE-1)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from genmedia.domain.catalog import MediaCategory
from genmedia.domain.errors import IllegalTransition
from genmedia.domain.job_input import JobInput
from genmedia.domain.scheduling import Fail, Retry
from genmedia.domain.status import Status, check_job_transition, runs_attempt
from genmedia.domain.stored import Stored

# The key of a job's output metadata that records the credits it was charged.
CHARGED = "credits_charged"


COMPLETION_FIELDS = (
    "status", "completed_at", "output_metadata", "credits_used", "provider_cost",
    "error_code", "error_message",
)  # fmt: skip
"""The fields `Job.complete` changes: all that writing a completion may write."""


@attrs.define(slots=False, eq=False, kw_only=True)
class Job(Stored):
    """One provider call: its input, status, worker, provider handle and outcome."""

    GENERATED = frozenset({"created_at", "request_id"})
    id: int | None = None
    request_id: int | None = None
    user_id: int
    project_id: int | None = None
    feature_id: int
    category: MediaCategory = MediaCategory.IMAGE
    index: int = 0
    status: Status = Status.PENDING
    priority: int = 0
    worker_id: str | None = None
    input: JobInput = attrs.field(factory=JobInput)
    output_metadata: dict[str, Any] | None = None
    error_code: str | None = None
    error_message: str | None = None
    attempts: int = 0
    max_attempts: int = 3
    started_at: datetime | None = None
    completed_at: datetime | None = None
    provider_task_id: str | None = None
    provider_polling_url: str | None = None
    legacy_provider_task_id: str | None = None
    provider_cost: float | None = None
    credits_used: int = 0
    dispatched_at: datetime | None = None
    run_after: datetime | None = None
    deadline_at: datetime | None = None
    cancel_requested: bool = False
    created_at: datetime | None = None
    deleted_at: datetime | None = None

    def _move(self, target: Status) -> None:
        check_job_transition(self.status, target)
        self.status = target

    def start(self, worker_id: str, now: datetime) -> None:
        """Claim the job for a worker: pending → processing."""
        self._move(Status.PROCESSING)
        self.worker_id = worker_id
        self.started_at = now
        self.attempts += 1

    def claim(self, worker_id: str, now: datetime, timeout: timedelta) -> None:
        """Start the job for a worker; the first claim fixes its deadline, `timeout` after
        it was created."""
        self.start(worker_id, now)
        self.deadline_at = self.deadline_at or (self.created_at or now) + timeout

    def release(self) -> None:
        """Undo a claim that never reached the provider (its worker is stopping): pending
        again, to be dispatched anew, with the attempt not spent."""
        if self.status is Status.PROCESSING and self.provider_task_id is not None:
            raise IllegalTransition("job", "processing at the provider", Status.PENDING.value)
        self._move(Status.PENDING)
        self.attempts -= 1
        self.worker_id = None
        self.started_at = None
        self.dispatched_at = None

    def record_task(
        self, task_id: str, polling_url: str | None, worker_id: str, cost: float | None
    ) -> None:
        """Remember the provider's handle for an asynchronous task, the worker that polls it
        and what submitting it cost (if the provider said), before waiting on it."""
        check_job_transition(self.status, Status.COMPLETED)
        self.provider_task_id = task_id
        self.provider_polling_url = polling_url
        self.worker_id = worker_id
        if cost is not None:
            self.provider_cost = cost

    def hand_over(self) -> None:
        """Let go of the worker that was waiting on the provider's task (it stopped): the
        next poll, from any worker, carries the job on."""
        if self.status is not Status.PROCESSING or self.provider_task_id is None:
            raise IllegalTransition("job", self.status.value, "handed over")
        self.worker_id = None

    def complete(
        self,
        now: datetime,
        output_metadata: dict[str, Any],
        credits_used: int,
        *,
        provider_cost: float | None = None,
    ) -> None:
        """Finish the job with its outputs stored, charged `credits_used`, with what it cost
        at the provider if known: processing → completed."""
        self._move(Status.COMPLETED)
        self.completed_at = now
        self.output_metadata = output_metadata
        self.credits_used = credits_used
        if provider_cost is not None:
            self.provider_cost = provider_cost
        self.error_code = self.error_message = None

    def deliver(
        self, now: datetime, output_metadata: Mapping[str, Any], provider_cost: float | None
    ) -> None:
        """Complete the job charged its full cost, which its output metadata records."""
        cost = self.input.credits
        self.complete(now, {**output_metadata, CHARGED: cost}, cost, provider_cost=provider_cost)

    def charge_short(self, paid: int) -> None:
        """Record that only `paid` of a delivered job's cost could be charged (its hold had
        expired and the balance no longer covered it): delivered partly paid, or unpaid."""
        if self.status is not Status.COMPLETED or not 0 <= paid < self.input.credits:
            raise IllegalTransition("job", self.status.value, f"charged {paid}")
        state = "partial" if paid else "unpaid"
        self.output_metadata = {**(self.output_metadata or {}), CHARGED: paid, "billing": state}
        self.credits_used = paid

    def fail(self, code: str, message: str, now: datetime) -> None:
        """End the job with a machine code and a human message."""
        self._move(Status.FAILED)
        self.completed_at = now
        self.error_code = code
        self.error_message = message

    def cancel(self, now: datetime) -> None:
        """Cancel the job: at once while pending, or once its worker stops it (cooperative)."""
        self._move(Status.CANCELLED)
        self.completed_at = now
        self.cancel_requested = False

    def request_cancel(self) -> None:
        """Ask the worker running this job to stop it at its next step."""
        check_job_transition(self.status, Status.CANCELLED)
        self.cancel_requested = True

    def is_past_deadline(self, now: datetime) -> bool:
        """Whether the job ran out of time to finish."""
        return self.deadline_at is not None and now >= self.deadline_at

    def requeue(self, code: str, message: str, run_after: datetime | None = None) -> None:
        """Give a started job back to the queue for another attempt, not before `run_after`."""
        self._move(Status.PENDING)
        self.worker_id = None
        self.dispatched_at = None
        self.run_after = run_after
        self.provider_task_id = self.provider_polling_url = None
        self.error_code = code
        self.error_message = message

    def after_failure(self, now: datetime, delay: float | None = None) -> Retry | Fail:
        """What follows a failed attempt at `now`: another attempt after `delay` seconds
        (None: at once, in its place in the queue), if one is left and it would start before
        the deadline; else the job fails."""
        if self.attempts_left <= 0:
            return Fail("no attempt is left")
        run_after = None if delay is None else now + timedelta(seconds=delay)
        if self.is_past_deadline(run_after or now):
            return Fail("its deadline has passed")
        return Retry(run_after)

    def runs(self, attempt: int, worker_id: str | None = None) -> bool:
        """Whether the job still runs `attempt` (for `worker_id`, if given): only then may
        that attempt's worker move it on."""
        ours = worker_id is None or self.worker_id == worker_id
        return ours and runs_attempt(self.status, self.attempts, attempt)

    @property
    def attempts_left(self) -> int:
        """How many more times the job may be started."""
        return max(self.max_attempts - self.attempts, 0)
