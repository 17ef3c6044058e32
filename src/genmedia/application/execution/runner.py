"""The worker's side of a job: claim, call the provider, store outputs, complete or fail.

Each step commits on its own and no I/O happens inside a transaction. Retryable failures
go back to pending with a jittered exponential delay (a provider's Retry-After is a floor);
the others, and any job past its deadline, fail with an error code and release their hold.
A running job whose cancellation was requested stops at its next step.

How a run claims its job and writes its completion are plain callables: by default the
claim and the completion are written at once in the job's own thread; a worker runtime
passes its own, which group them with other threads' (`entrypoints/runtime`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import timedelta

import attrs

from genmedia.application.errors import ProviderError, UnsupportedMedia
from genmedia.application.execution import steps
from genmedia.application.execution.calls import completion_of, provider_call, stored_outputs
from genmedia.application.execution.claims import WorkerClaims
from genmedia.application.execution.completion import Completion
from genmedia.application.execution.endings import JobEndings
from genmedia.application.ports import (
    Clock,
    Finished,
    ImageProcessor,
    JobQueue,
    Metrics,
    ObjectStorage,
    Outcome,
    ProviderGateway,
    UnitOfWork,
)
from genmedia.domain.job import Job
from genmedia.domain.scheduling import Fail, retry_delay
from genmedia.domain.status import Status

log = logging.getLogger(__name__)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How long a job may take and how its failed attempts are spaced."""

    job_timeout: timedelta = steps.DEFAULT_JOB_TIMEOUT
    base_delay: float = 2.0
    max_delay: float = 60.0


@attrs.define(kw_only=True)
class JobRunner:
    """Runs and polls jobs for one worker process; safe to share between its threads."""

    uow: Callable[[], UnitOfWork]
    storage: ObjectStorage
    images: ImageProcessor
    providers: Mapping[str, ProviderGateway]
    queue: JobQueue
    clock: Clock
    worker_id: str
    metrics: Metrics
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    # How `run` claims its job (None: claimed now, alone: `claims.claim_one`) ...
    claim: Callable[[int], Job | None] | None = None
    # ... and writes a finished job (None: completed now, alone: `endings.complete_one`).
    complete: Callable[[Completion], None] | None = None
    claims: WorkerClaims = attrs.field(init=False)
    endings: JobEndings = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.claims = WorkerClaims(
            uow=self.uow,
            clock=self.clock,
            worker_id=self.worker_id,
            job_timeout=self.retry.job_timeout,
        )
        self.endings = JobEndings(uow=self.uow, clock=self.clock, metrics=self.metrics)

    def run(self, job_id: int) -> None:
        """Claim the job and submit it to its provider; a lost claim is a no-op."""
        job = (self.claim or self.claims.claim_one)(job_id)
        if job is None:
            log.info("job %s already claimed or finished; skipping", job_id)
            return
        if self._stopped(job):
            return
        self._guarded(job, lambda: self._submit(job), polling=False)

    def poll(self, job_id: int) -> None:
        """Ask the provider about the job's task and move the job on."""
        job = steps.load_job(job_id, uow=self.uow())
        if job.status is not Status.PROCESSING or job.provider_task_id is None:
            return
        if self._stopped(job):
            return
        task_id, url = job.provider_task_id, job.provider_polling_url
        self._guarded(job, lambda: self._provider(job).poll(task_id, url), polling=True)

    def _stopped(self, job: Job) -> bool:
        """Cancel or time out a job before its next step; True if it was stopped."""
        if job.cancel_requested:
            self._cancel_at_provider(job)
            self.endings.cancel(job)
            return True
        if job.is_past_deadline(self.clock.now()):
            self._cancel_at_provider(job)
            self._fail(job, "deadline_exceeded", "the job did not finish before its deadline")
            return True
        return False

    def _cancel_at_provider(self, job: Job) -> None:
        if job.provider_task_id:
            try:
                self._provider(job).cancel(job.provider_task_id, job.provider_polling_url)
            except ProviderError as err:
                log.info("job %s: provider cancel failed: %s", job.id, err.code)

    def _submit(self, job: Job) -> Outcome:
        return self._provider(job).submit(provider_call(job, self.storage))

    def _guarded(self, job: Job, step: Callable[[], Outcome], *, polling: bool) -> None:
        started = time.monotonic()
        try:
            self._advance(job, step(), started)
        except ProviderError as err:
            self._provider_failed(job, err, polling)
        except UnsupportedMedia as err:
            self._fail(job, "invalid_output", f"the provider returned an unusable file: {err}")
        except OSError as err:
            log.warning("job %s: storage error %s", job.id, err)
            self._retry_or_fail(job, "storage_unavailable", "could not read or write storage", None)
        except Exception:
            log.exception("job %s: unexpected error", job.id)
            self._fail(job, "internal_error", "an unexpected error stopped this job")

    def _provider_failed(self, job: Job, err: ProviderError, polling: bool) -> None:
        self.metrics.provider_error(job.input.provider, err.code)
        log.warning("job %s: provider error %s", job.id, err.code)
        if not err.retryable:
            self._fail(job, err.code, err.message)
        elif polling:
            self._poll_again(job, err)
        else:
            self._retry_or_fail(job, err.code, err.message, err.retry_after)

    def _provider(self, job: Job) -> ProviderGateway:
        name = job.input.provider
        if name not in self.providers:
            raise ProviderError("provider_not_configured", f"provider {name!r} is not configured")
        return self.providers[name]

    def _advance(self, job: Job, outcome: Outcome, started: float) -> None:
        if isinstance(outcome, Finished):
            self._store(job, outcome, started)
            return
        recorded = steps.record_provider_task(
            job.id or 0, job.attempts, outcome, self.worker_id, uow=self.uow()
        )
        if recorded:
            self.queue.send_poll(job.id or 0, outcome.poll_after)

    def _store(self, job: Job, outcome: Finished, started: float) -> None:
        fetch = self._provider(job).fetch
        stored = stored_outputs(job, outcome, fetch=fetch, storage=self.storage, images=self.images)
        duration_ms = round((time.monotonic() - started) * 1000)
        completion = completion_of(job, outcome, stored, duration_ms)
        (self.complete or self.endings.complete_one)(completion)

    def _poll_again(self, job: Job, err: ProviderError) -> None:
        """A passing failure while polling or downloading: ask again later, never resubmit."""
        delay = retry_delay(
            1, base=self.retry.base_delay, cap=self.retry.max_delay, retry_after=err.retry_after
        )
        if job.is_past_deadline(self.clock.now() + timedelta(seconds=delay)):
            self._fail(job, err.code, err.message)
            return
        self.queue.send_poll(job.id or 0, delay)

    def _retry_or_fail(self, job: Job, code: str, message: str, retry_after: float | None) -> None:
        delay = retry_delay(
            job.attempts,
            base=self.retry.base_delay,
            cap=self.retry.max_delay,
            retry_after=retry_after,
        )
        decision = job.after_failure(self.clock.now(), delay)
        if isinstance(decision, Fail):
            self._fail(job, code, message)
            return
        log.info(
            "job %s: attempt %s failed (%s); retrying in %.1fs", job.id, job.attempts, code, delay
        )
        steps.requeue_job(
            job.id or 0, job.attempts, code, message, uow=self.uow(), run_after=decision.run_after
        )

    def _fail(self, job: Job, code: str, message: str) -> None:
        self.endings.fail(job, code, message)
