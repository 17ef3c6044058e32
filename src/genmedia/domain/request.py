"""The generation request aggregate, which owns its jobs (SPEC GEN-1, GEN-5, GEN-6)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.errors import NotFound, NothingToCancel
from genmedia.domain.job import Job
from genmedia.domain.status import Status, request_status
from genmedia.domain.stored import Stored


@attrs.define(slots=False, eq=False, kw_only=True)
class GenerationRequest(Stored):
    """Everything a user asked for in one go, with the jobs that carry it out."""

    id: int | None = None
    user_id: int
    project_id: int | None = None
    feature_id: int
    template_id: int | None = None
    provider_model_id: int | None = None
    trained_model_id: int | None = None
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

    def job(self, job_id: int) -> Job:
        """The job with this id, which must belong to this request."""
        for job in self.jobs:
            if job.id == job_id:
                return job
        raise NotFound("job", job_id)

    def refresh_status(self) -> None:
        """Make the request's status follow its jobs."""
        started = self.status is not Status.PENDING
        self.status = request_status((j.status for j in self.jobs), started=started)
        self.credits_charged = sum(
            j.credits_used for j in self.jobs if j.status is Status.COMPLETED
        )

    def start_job(self, job_id: int, worker_id: str, now: datetime) -> Job:
        """Claim one job for a worker."""
        job = self.job(job_id)
        job.start(worker_id, now)
        self.refresh_status()
        return job

    def complete_job(
        self,
        job_id: int,
        now: datetime,
        output_metadata: dict[str, Any],
        credits: int,
        provider_cost: float | None = None,
    ) -> Job:
        """Complete one job whose outputs are stored, with what it cost the user and us."""
        job = self.job(job_id)
        job.complete(now, output_metadata, credits)
        job.provider_cost = provider_cost
        self.refresh_status()
        return job

    def fail_job(self, job_id: int, code: str, message: str, now: datetime) -> Job:
        """Fail one job with a code and a message."""
        job = self.job(job_id)
        job.fail(code, message, now)
        self.refresh_status()
        return job

    def requeue_job(
        self, job_id: int, code: str, message: str, run_after: datetime | None = None
    ) -> Job:
        """Send one started job back to pending for another attempt, not before `run_after`."""
        job = self.job(job_id)
        job.requeue(code, message, run_after)
        self.refresh_status()
        return job

    def cancel(self, now: datetime) -> list[Job]:
        """Cancel pending jobs at once and ask running ones to stop; the jobs cancelled now.

        Raises NothingToCancel when no job is pending or running.
        """
        pending = [j for j in self.jobs if j.status is Status.PENDING]
        running = [j for j in self.jobs if j.status is Status.PROCESSING and not j.cancel_requested]
        if not pending and not running:
            raise NothingToCancel(f"request {self.id} has no pending or running job")
        for job in pending:
            job.cancel(now)
        for job in running:
            job.request_cancel()
        self.refresh_status()
        return pending

    def cancel_job(self, job_id: int, now: datetime) -> Job:
        """Stop one job whose cancellation was requested or that is still pending."""
        job = self.job(job_id)
        job.cancel(now)
        self.refresh_status()
        return job

    def soft_delete(self, now: datetime) -> None:
        """Hide the request from its owner; its history stays."""
        self.deleted_at = now
