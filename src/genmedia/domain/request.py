"""The generation request aggregate, which owns its jobs (SPEC GEN-1, GEN-5, GEN-6)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.errors import AlreadyUsed, IllegalTransition, NotFound, NothingToCancel
from genmedia.domain.job import Job
from genmedia.domain.photos import BATCH
from genmedia.domain.status import Progress, Status, request_progress
from genmedia.domain.stored import Stored

ARCHIVE_DAYS = 90
"""Finished requests are archived this many days after they were made, unless set otherwise."""


@attrs.define(slots=False, eq=False, kw_only=True)
class GenerationRequest(Stored):
    """Everything a user asked for in one go, with the jobs that carry it out."""

    id: int | None = None
    user_id: int
    project_id: int | None = None
    feature_id: int | None  # None for a training (`domain.training_plan`)
    template_id: int | None = None
    provider_model_id: int | None = None
    trained_model_id: int | None = None
    batch_id: int | None = None
    system_prompt: str | None = None
    template_prompt: str | None = None
    user_prompt: str = ""
    selected_options: dict[str, Any] = attrs.field(factory=dict)
    user_custom_input: dict[str, Any] | None = None
    final_prompt: str = ""
    input_media_ids: list[int] = attrs.field(factory=list)
    user_media_urls: list[str] = attrs.field(factory=list)
    input_metadata: dict[str, Any] = attrs.field(factory=dict)
    generation_params: dict[str, Any] = attrs.field(factory=dict)
    estimated_cost: int = 0
    credits_charged: int = 0
    status: Status = Status.PENDING
    metadata: dict[str, Any] = attrs.field(factory=dict)
    jobs: list[Job] = attrs.field(factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted_at: datetime | None = None
    archived_at: datetime | None = None

    def job(self, job_id: int) -> Job:
        """The job with this id, which must belong to this request."""
        for job in self.jobs:
            if job.id == job_id:
                return job
        raise NotFound("job", job_id)

    def join_batch(self, batch_id: int) -> None:
        """Make this request, not stored yet, one of a batch's: its photos name the batch."""
        self.batch_id = batch_id
        for job in self.jobs:
            facts = {**job.input.media_facts, BATCH: batch_id}
            job.input = attrs.evolve(job.input, media_facts=facts)

    def follow(self, progress: Progress) -> None:
        """Take the status and charge that its jobs, as stored, give the request."""
        self.status, self.credits_charged = progress.status, progress.credits_charged

    def refresh_status(self) -> None:
        """Make the request's status and charge follow its jobs as loaded here."""
        states = ((job.status, job.credits_used) for job in self.jobs)
        self.follow(request_progress(self.status, states))

    def is_archivable(self, before: datetime) -> bool:
        """Whether the archive sweep takes this request: a live, finished request, not yet
        archived, made before `before` (SPEC GEN-11). Archived requests leave the default
        listings but stay readable by id."""
        return (
            self.archived_at is None
            and self.deleted_at is None
            and self.status.is_terminal
            and self.created_at is not None
            and self.created_at < before
        )

    def check_seen_by(self, user_id: int) -> None:
        """Raise NotFound unless this is a live request of the user's: another user's
        request, or a deleted one, does not exist for them."""
        if self.user_id != user_id or self.deleted_at is not None:
            raise NotFound("request", self.id)

    def cancel(self, now: datetime) -> list[Job]:
        """Cancel pending jobs at once and ask running ones to stop; the jobs cancelled now.

        Raises NothingToCancel when no job is pending or running.
        """
        if not any(self._stoppable(job) for job in self.jobs):
            raise NothingToCancel(f"request {self.id} has no pending or running job")
        return self._stop(now)

    def soft_delete(self, now: datetime) -> list[Job]:
        """Hide the request from its owner, stopping its work first as `cancel` does; the
        jobs cancelled now. Its history, and the charges of work already done, stay."""
        cancelled = self._stop(now)
        self.deleted_at = now
        return cancelled

    def retry(self, job_id: int) -> Job:
        """Run a failed job again: a new pending job of this request with the same input and
        price, `retry_of` the failed one, which stays as it ended (its hold was released).

        Only a failed job of a live request, once: a cancelled job was given up by its owner,
        who is not to be charged for it against their will (IllegalTransition); a second retry
        of one job is AlreadyUsed.
        """
        failed = self.job(job_id)
        if self.deleted_at is not None:
            raise IllegalTransition("request", "deleted", "retried")
        if failed.status is not Status.FAILED:
            raise IllegalTransition("job", failed.status.value, "retried")
        if any(job.retry_of == job_id for job in self.jobs):
            raise AlreadyUsed(f"job {job_id} has been retried already")
        again = Job(
            user_id=failed.user_id, project_id=failed.project_id, feature_id=failed.feature_id,
            category=failed.category, index=1 + max(job.index for job in self.jobs),
            priority=failed.priority, input=failed.input, max_attempts=failed.max_attempts,
            retry_of=job_id,
        )  # fmt: skip
        self.jobs.append(again)
        self.refresh_status()
        return again

    @staticmethod
    def _stoppable(job: Job) -> bool:
        running = job.status is Status.PROCESSING and not job.cancel_requested
        return job.status is Status.PENDING or running

    def _stop(self, now: datetime) -> list[Job]:
        stopping = [job for job in self.jobs if self._stoppable(job)]
        pending = [job for job in stopping if job.status is Status.PENDING]
        for job in stopping:
            if job.status is Status.PENDING:
                job.cancel(now)
            else:
                job.request_cancel()
        if stopping:
            self.refresh_status()
        return pending
