"""The worker's side of a job: claim, call the provider, store outputs, complete or fail.

Each step commits on its own and no I/O happens inside a transaction. A run claims its job,
records that its provider call begins (the attempt counts), then calls the provider.
`Job.after_failure` decides what follows a retryable failure: another attempt after a
jittered exponential delay (a provider's Retry-After is a floor; a rate limit spends no
attempt), another poll of a task the provider has, or the end of the job. Other failures
fail with an error code and release their hold. One deadline bounds the submit, polls and
downloads (`ports.work_deadline`); at it the task is cancelled at its provider. A job whose
cancellation was requested stops at its next step. A poll message runs only if it still
carries the job's poll chain (`polls.take_poll`). How a run claims its job, begins its call
and writes its completion are callables: by default each is written at once in the job's own
thread; a worker runtime passes its own (`entrypoints/runtime`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import timedelta

import attrs

from genmedia.application.errors import ProviderError, UnsupportedMedia
from genmedia.application.execution import calls, polls, steps
from genmedia.application.execution.claims import WorkerClaims
from genmedia.application.execution.completion import Completion
from genmedia.application.execution.endings import JobEndings
from genmedia.application.execution.policy import RetryPolicy
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
from genmedia.application.ports.work_deadline import work_until
from genmedia.domain.job import Job
from genmedia.domain.moderation import ModerationStage
from genmedia.domain.scheduling import Fail, PollAgain, Setback, poll_delay, retry_delay
from genmedia.domain.scheduling import seconds_until as until

log = logging.getLogger(__name__)


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
    # The public URL of the API, where providers' webhooks arrive (None: polling only).
    webhook_base: str | None = None
    # How `run` claims its job (None: claimed now, alone: `claims.claim_one`), begins
    # its provider call (None: now, alone: `claims.begin_one`) ...
    claim: Callable[[int], Job | None] | None = None
    begin: Callable[[Job], Job | None] | None = None
    # ... waits, before any other write about a job, until its begin is written (None: it
    # was, as `begin` returned) ...
    confirm: Callable[[Job], None] | None = None
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
        """Claim the job, begin its provider call and submit it; a lost claim is a no-op."""
        job = (self.claim or self.claims.claim_one)(job_id)
        if job is None:
            log.info("job %s already claimed or finished; skipping", job_id)
            return
        try:
            begun = None if self._stopped(job) else (self.begin or self.claims.begin_one)(job)
        except Exception:
            log.exception("job %s: its run could not begin; giving it back", job_id)
            self.claims.give_back(job)
            return
        if begun is None:
            log.info("job %s was stopped or taken from this worker before its call", job_id)
        elif not self._stopped(begun):
            self._guarded(begun, lambda: self._submit(begun))

    def poll(self, job_id: int, token: int | None = None) -> None:
        """Ask the provider about the job's task and move the job on, if the message still
        carries the job's poll chain; a stale message does nothing."""
        if token is None:  # a message sent before poll chains had tokens
            return
        job = polls.take_poll(job_id, token, self.worker_id, uow=self.uow())
        if job is None:
            log.debug("job %s: poll message %s is stale; dropped", job_id, token)
            return
        if self._stopped(job):
            return
        task_id, url = job.provider_task_id or "", job.provider_polling_url
        self._guarded(job, lambda: self._provider(job).poll(task_id, url))

    def _stopped(self, job: Job) -> bool:
        """Cancel or time out a job before its next step; True if it was stopped."""
        if job.cancel_requested or job.is_past_deadline(self.clock.now()):
            self._confirmed(job)
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
        return calls.submit(job, self._provider(job), self.storage, self._webhook(job))

    def _webhook(self, job: Job) -> str | None:
        return calls.webhook_url(self.webhook_base, self._provider(job))

    def _guarded(self, job: Job, step: Callable[[], Outcome]) -> None:
        started = time.monotonic()
        try:
            with work_until(until(job.deadline_at, self.clock.now())):
                self._advance(job, step(), started)
        except ProviderError as err:
            self._provider_failed(job, err)
        except UnsupportedMedia as err:
            self._fail(job, "invalid_output", f"the provider returned an unusable file: {err}")
        except OSError as err:
            log.warning("job %s: storage error %s", job.id, err)
            message = "could not read or write storage"
            self._after_setback(job, "storage_unavailable", message, Setback.FAILED, None)
        except Exception:
            log.exception("job %s: unexpected error", job.id)
            self._fail(job, "internal_error", "an unexpected error stopped this job")

    def _provider_failed(self, job: Job, err: ProviderError) -> None:
        self.metrics.provider_error(job.input.provider, err.code)
        log.warning("job %s: provider error %s", job.id, err.code)
        if self._stopped(job):  # its deadline passed (or its cancel came) during the call
            return
        if not err.retryable:
            self._fail(job, err.code, err.message, moderation=err.moderation)
            return
        setback = Setback.RATE_LIMITED if err.rate_limited else Setback.FAILED
        self._after_setback(job, err.code, err.message, setback, err.retry_after)

    def _provider(self, job: Job) -> ProviderGateway:
        name = job.input.provider
        if name not in self.providers:
            raise ProviderError("provider_not_configured", f"provider {name!r} is not configured")
        return self.providers[name]

    def _advance(self, job: Job, outcome: Outcome, started: float) -> None:
        if isinstance(outcome, Finished):
            self._store(job, outcome, started)
            return
        now, expected = self.clock.now(), self._webhook(job) is not None
        delay = poll_delay(
            outcome.poll_after,
            webhook_expected=expected,
            webhook_pace=self.retry.webhook_pace,
            deadline_in=until(job.deadline_at, now),
            age=-(until(job.started_at, now) or 0.0),  # since its provider call began
            progress=outcome.progress,
        )
        at = now + timedelta(seconds=delay)
        self._confirmed(job)
        token = polls.wait_for_task(job, outcome, at, uow=self.uow())
        self._send_poll(job, delay, token)

    def _send_poll(self, job: Job, delay: float, token: int | None) -> None:
        """Send the job's one poll message, once its wait is committed (None: it moved on)."""
        if token is not None:
            self.queue.send_poll(job.id or 0, delay, token)

    def _store(self, job: Job, outcome: Finished, started: float) -> None:
        fetch, store, images = self._provider(job).fetch, self.storage, self.images
        completion = calls.finished(
            job, outcome, fetch=fetch, storage=store, images=images, started=started
        )
        (self.complete or self.endings.complete_one)(completion)

    def _after_setback(
        self, job: Job, code: str, message: str, setback: Setback, retry_after: float | None
    ) -> None:
        """Follow what `Job.after_failure` decides: poll again, try again, or fail."""
        self._confirmed(job)
        waiting = job.provider_task_id is not None
        delay = retry_delay(
            1 if waiting else max(job.attempts, 1),
            base=self.retry.base_delay,
            cap=self.retry.max_delay,
            retry_after=retry_after,
        )
        now = self.clock.now()
        decision = job.after_failure(now, delay, setback)
        if isinstance(decision, Fail):
            self._fail(job, code, message, decision)
        elif isinstance(decision, PollAgain):  # due no later than the deadline
            due = max((decision.at - now).total_seconds(), 0.0)
            self._send_poll(job, due, polls.wait_for_poll(job, decision.at, uow=self.uow()))
        else:
            log.info("job %s: %s (%s); trying again in %.1fs", job.id, setback, code, delay)
            steps.requeue_job(job, code, message, decision, uow=self.uow())

    def _fail(
        self,
        job: Job,
        code: str,
        message: str,
        decided: Fail | None = None,
        moderation: ModerationStage | None = None,
    ) -> None:
        self._confirmed(job)
        if job.provider_task_id and job.falls_back_on(code, self.clock.now()):
            self._cancel_at_provider(job)  # its fallback runs instead of the primary's task
        self.endings.fail(job, code, message, decided, moderation)

    def _confirmed(self, job: Job) -> None:
        if self.confirm is not None:
            self.confirm(job)
