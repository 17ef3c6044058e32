"""A job: one unit of provider work inside a generation request (SPEC GEN-4, EXE-1)."""

from __future__ import annotations

from collections.abc import Container, Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from genmedia.domain.catalog import MediaCategory
from genmedia.domain.errors import IllegalTransition
from genmedia.domain.fallback import Fallback
from genmedia.domain.job_input import JobInput
from genmedia.domain.moderation import ModerationStage
from genmedia.domain.poll_chain import PollChain
from genmedia.domain.provider_cost import ProviderCost
from genmedia.domain.scheduling import Fail, PollAgain, Retry, Setback
from genmedia.domain.status import Status, check_job_transition, runs_lease
from genmedia.domain.stored import Stored

CHARGED = "credits_charged"  # the key of the output metadata that records the charge

COMPLETION_FIELDS = (
    "status", "completed_at", "output_metadata", "credits_used", "provider_cost",
    "error_code", "error_message",
)  # fmt: skip
"""The fields `Job.complete` changes: all that writing a completion may write."""


@attrs.define(slots=False, eq=False, kw_only=True)
class Job(Stored, PollChain, Fallback):
    """One provider call: its input, status, worker, provider handle and outcome.

    `started_at` is when the current run's provider call began (None while the job is
    claimed but not yet at its provider); `run_after` is when its next step is due: the
    next attempt of a pending job, the next poll of a job waiting on its provider."""

    GENERATED = frozenset({"created_at", "request_id"})
    id: int | None = None
    request_id: int | None = None
    user_id: int
    project_id: int | None = None
    feature_id: int | None  # None for a training's job
    category: MediaCategory = MediaCategory.IMAGE
    index: int = 0
    status: Status = Status.PENDING
    priority: int = 0
    worker_id: str | None = None
    input: JobInput = attrs.field(factory=JobInput)
    output_metadata: dict[str, Any] | None = None
    error_code: str | None = None
    error_message: str | None = None
    # Provider calls made for the job that count: a call that never began, or that the
    # provider answered with a rate limit, spends none.
    attempts: int = 0
    max_attempts: int = 3
    # Advanced each time the job changes hands (a claim, a wait for a poll): a worker's
    # writes apply only while the job still has the lease it was given, and a poll
    # message carries the lease it was sent under as its token.
    lease: int = 0
    started_at: datetime | None = None
    completed_at: datetime | None = None
    provider_task_id: str | None = None
    provider_polling_url: str | None = None
    legacy_provider_task_id: str | None = None
    provider_cost: ProviderCost | None = None  # what the provider said the job cost
    credits_used: int = 0
    dispatched_at: datetime | None = None
    run_after: datetime | None = None
    deadline_at: datetime | None = None
    cancel_requested: bool = False
    retry_of: int | None = None  # the failed job of its request that this one runs again
    created_at: datetime | None = None
    deleted_at: datetime | None = None

    def _move(self, target: Status) -> None:
        check_job_transition(self.status, target)
        self.status = target

    def start(self, worker_id: str) -> None:
        """Take the job for a worker under a new lease: pending → processing. Its provider
        call has not begun: no attempt is spent yet."""
        self._move(Status.PROCESSING)
        self.worker_id = worker_id
        self.lease += 1
        self.started_at = None

    def claim(self, worker_id: str, now: datetime, timeout: timedelta) -> None:
        """Start the job for a worker; the first claim fixes its deadline, `timeout` after
        it was created."""
        self.start(worker_id)
        self.deadline_at = self.deadline_at or (self.created_at or now) + timeout

    def awaits_call(self, lease: int, worker_id: str) -> bool:
        """Whether the worker holding `lease` has yet to make its run's provider call: the
        job is still its own and the call has not begun."""
        fresh = self.started_at is None and self.provider_task_id is None
        return self.runs(lease, worker_id) and fresh

    def begin(self, now: datetime) -> None:
        """Its worker calls the provider now: from here the attempt counts. A job whose
        cancellation was requested is not begun: it is to be cancelled."""
        fresh = self.status is Status.PROCESSING and self.started_at is None
        if not fresh or self.cancel_requested:
            raise IllegalTransition("job", self.status.value, "begun")
        self.attempts += 1
        self.started_at = now

    def release(self) -> None:
        """Undo a claim whose provider call never began (its worker is stopping): pending
        again, to be dispatched anew, with no attempt spent."""
        if self.status is Status.PROCESSING and self.started_at is not None:
            raise IllegalTransition("job", "processing at the provider", Status.PENDING.value)
        self._move(Status.PENDING)
        self.worker_id = self.dispatched_at = None

    def complete(
        self,
        now: datetime,
        output_metadata: dict[str, Any],
        credits_used: int,
        *,
        provider_cost: ProviderCost | None = None,
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
        self, now: datetime, output_metadata: Mapping[str, Any], provider_cost: ProviderCost | None
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

    def fail(
        self,
        code: str,
        message: str,
        now: datetime,
        decided: Fail | None = None,
        *,
        moderation: ModerationStage | None = None,
    ) -> None:
        """End the job with a machine code and a human message; with the attempts spent
        that `after_failure` `decided`, if it did, and the stage a provider's moderation
        blocked, if it did (kept in `output_metadata`)."""
        self._move(Status.FAILED)
        self.completed_at = now
        self.error_code = code
        self.error_message = message
        if decided is not None:
            self.attempts = decided.attempts
        if moderation is not None:
            self.output_metadata = moderation.noted(self.output_metadata)

    @property
    def moderation_stage(self) -> ModerationStage | None:
        """The stage a provider's moderation blocked, if that is how the job failed."""
        return ModerationStage.noted_in(self.output_metadata)

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

    def requeue(self, code: str, message: str, retry: Retry) -> None:
        """Give a started job back to the queue for another attempt, as `retry` decided: not
        before its `run_after`, with its `attempts` spent."""
        self._move(Status.PENDING)
        self.worker_id = self.dispatched_at = None
        self.run_after = retry.run_after
        self.attempts = retry.attempts
        self.provider_task_id = self.provider_polling_url = None
        self.error_code = code
        self.error_message = message

    def after_failure(
        self, now: datetime, delay: float | None = None, setback: Setback = Setback.FAILED
    ) -> Retry | PollAgain | Fail:
        """What follows a setback at `now`: the one rule of attempts and deadlines, for the runner
        and the rescuer. A job waiting on its provider's task polls it again after `delay` (None:
        now), or at its deadline if sooner (that poll cancels the task); any other runs again after
        `delay` (None: at once, in its place in the queue). The run spends its attempt only if its
        provider call began and did not end in a rate limit (a run cut short before its call, or
        told to wait, spends none). A spent attempt needs another left, and the next step must come
        before the deadline, or the job fails."""
        at = now if delay is None else now + timedelta(seconds=delay)
        if self.provider_task_id is not None:  # its attempt made the task: it stays spent
            if self.is_past_deadline(now):
                return Fail("its deadline has passed", self.attempts)
            return PollAgain(min(at, self.deadline_at or at))
        began = self.started_at is not None
        spends = began and setback is not Setback.RATE_LIMITED
        kept = self.attempts - (began and not spends)
        if spends and self.attempts_left <= 0:
            return Fail("no attempt is left", kept)
        if self.is_past_deadline(at):
            return Fail("its deadline has passed", kept)
        return Retry(None if delay is None else at, kept)

    def is_orphaned(
        self, live_workers: Container[str], heartbeat_before: datetime, *, poll_queued: bool = False
    ) -> bool:
        """Whether nobody carries the running job on: its worker is not among the live ones, or
        it has none and waits for a poll due before `heartbeat_before` that no queue holds."""
        if self.status is not Status.PROCESSING:
            return False
        if self.worker_id is not None:
            return self.worker_id not in live_workers
        overdue = self.run_after is None or self.run_after < heartbeat_before
        return overdue and not poll_queued

    def runs(self, lease: int, worker_id: str | None = None) -> bool:
        """Whether the job still runs under `lease` (for `worker_id`, if given): only then
        may the worker holding that lease move it on."""
        ours = worker_id is None or self.worker_id == worker_id
        return ours and runs_lease(self.status, self.lease, lease)

    @property
    def attempts_left(self) -> int:
        """How many more attempts the job may spend."""
        return max(self.max_attempts - self.attempts, 0)
