"""Claims of jobs for one worker: at once, many in one transaction, begun or undone.

A worker runtime groups these writes (group commit, claims at fetch); none of them keeps
state or starts a thread, so a runner with no runtime calls them directly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import attrs

from genmedia.application.execution import steps
from genmedia.application.ports import Clock, UnitOfWork
from genmedia.domain.job import Job

log = logging.getLogger(__name__)


@attrs.frozen(kw_only=True)
class WorkerClaims:
    """Claims jobs for `worker_id`; the first claim of a job fixes its deadline."""

    uow: Callable[[], UnitOfWork]
    clock: Clock
    worker_id: str
    job_timeout: timedelta = steps.DEFAULT_JOB_TIMEOUT

    def claim_all(self, job_ids: list[int]) -> list[Job | None]:
        """Claim these jobs in one transaction; per id, its job if this call claimed it."""
        claimed = steps.claim_jobs(
            job_ids,
            self.worker_id,
            uow=self.uow(),
            clock=self.clock,
            job_timeout=self.job_timeout,
        )
        # pop: a job whose message came twice goes to one thread only
        return [claimed.pop(job_id, None) for job_id in job_ids]

    def claim_one(self, job_id: int) -> Job | None:
        """Claim this job alone, now; None if it was claimed, cancelled or finished already."""
        return self.claim_all([job_id])[0]

    def begin_all(self, jobs: list[Job]) -> list[Job | None]:
        """Record in one write that this worker calls the provider now for these jobs it
        claimed. Per job, the worker's copy: begun, or told that its cancellation was
        requested (not begun); None if it is no longer this worker's (rescued and claimed
        elsewhere, or finished)."""
        now = self.clock.now()
        runs = {(job.id or 0, job.lease) for job in jobs}
        found = steps.begin_runs(runs, self.worker_id, uow=self.uow(), now=now)
        return [_begun(job, found, now) for job in jobs]

    def begin_one(self, job: Job) -> Job | None:
        """`begin_all` for one job."""
        return self.begin_all([job])[0]

    def begin_locally(self, job: Job) -> None:
        """Begin the worker's copy of a job it claimed, ahead of `begin_all` writing it."""
        job.begin(self.clock.now())

    def release(self, job: Job) -> bool:
        """Undo the claim of a job this worker never ran, or cancel the job if its
        cancellation was requested meanwhile; False if the job moved on."""
        return steps.release_claim(
            job.id or 0, job.lease, self.worker_id, uow=self.uow(), clock=self.clock
        )

    def give_back(self, job: Job) -> None:
        """Undo the claim of a job whose run could not begin, so that it does not stay with
        this live worker, which nobody would rescue it from; a failure is logged."""
        try:
            self.release(job)
        except Exception:
            log.exception("job %s: giving it back failed; it stays until this worker stops", job.id)


def _begun(job: Job, found: dict[int, bool], now: datetime) -> Job | None:
    if job.id not in found:
        return None
    if found[job.id]:
        job.request_cancel()
    elif job.started_at is None:
        job.begin(now)
    return job
