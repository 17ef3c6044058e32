"""The worker's side of a job: claim, call the provider, store outputs, complete or fail.

Each step commits on its own and no I/O happens inside a transaction. Retryable failures
go back to pending with a jittered exponential delay (a provider's Retry-After is a floor);
the others, and any job past its deadline, fail with an error code and release their hold.
A running job whose cancellation was requested stops at its next step.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import attrs

from genmedia.application.batch_writer import BatchWriter
from genmedia.application.errors import ProviderError, UnsupportedMedia
from genmedia.application.execution import steps
from genmedia.application.group_commit import GroupCommit
from genmedia.application.ports import (
    Clock,
    Finished,
    ImageProcessor,
    InputImage,
    JobQueue,
    Metrics,
    ObjectStorage,
    Outcome,
    ProviderCall,
    ProviderGateway,
    UnitOfWork,
)
from genmedia.domain.job import Job
from genmedia.domain.media import output_key
from genmedia.domain.scheduling import retry_delay
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
    completion_retry: float = 1.0  # seconds between tries to write completions given back
    # A job claimed ahead that waited longer than this (seconds) is read again before it
    # runs: a cancellation or a rescue may have reached it meanwhile.
    ahead_recheck: float = 1.0
    # Called once jobs finished here: a dispatcher in this process can fill their slots now.
    on_finished: Callable[[], None] | None = None
    _claims: GroupCommit[int, Job | None] = attrs.field(init=False)
    _completions: GroupCommit[steps.Completion, bool] = attrs.field(init=False)
    _completer: BatchWriter[steps.Completion] = attrs.field(init=False)
    # Jobs claimed by `claim_ahead` that no thread has taken up yet, by id, with the
    # time.monotonic() of their claim.
    _ahead: dict[int, tuple[Job, float]] = attrs.field(init=False, factory=dict)
    _claiming_ahead: bool = attrs.field(init=False, default=False)

    def __attrs_post_init__(self) -> None:
        self._claims = GroupCommit(self.claim_all)
        self._completions = GroupCommit(self.complete_all)
        self._completer = BatchWriter(
            self._write_finished, name="genmedia-completer", pause=self.completion_retry
        )

    def start_completer(self) -> None:
        """Write completions from a thread of their own from now on (see `batch_writer`):
        `run` then returns once the outputs are stored, before the job is marked completed."""
        self._completer.start()

    def stop_completer(self) -> int:
        """Write the completions still waiting and go back to writing them in `run`; how many
        could not be written (their jobs stay processing until rescued)."""
        left = self._completer.stop()
        if left:
            log.error("%s completions could not be written; their jobs will be rescued", len(left))
        return len(left)

    def claim_ahead(self, job_ids: list[int]) -> None:
        """Claim, in one transaction, jobs whose messages this process just fetched, before
        its threads take them up; `run` then goes straight to the provider.

        If the claim fails, each thread claims its job itself as usual; so does every thread
        outside `start_claiming_ahead` … `stop_claiming_ahead`."""
        if not self._claiming_ahead:
            return
        try:
            claimed = self.claim_all(job_ids)
        except Exception:
            log.warning("claiming %s fetched jobs failed", len(job_ids), exc_info=True)
            return
        now = time.monotonic()
        for job in claimed:
            if job is not None:
                self._ahead[job.id or 0] = (job, now)

    def start_claiming_ahead(self) -> None:
        """Let `claim_ahead` claim from now on (a worker runtime starts)."""
        self._claiming_ahead = True

    def stop_claiming_ahead(self) -> None:
        """Claim no more jobs ahead: the worker is stopping, and no thread may take them up."""
        self._claiming_ahead = False

    def release_ahead(self) -> int:
        """Undo the claims of `claim_ahead` that no thread took up (call it once the worker
        threads have stopped); how many jobs went back to pending or, if their cancellation
        was requested meanwhile, were cancelled."""
        released = 0
        while True:
            try:
                _, (job, _) = self._ahead.popitem()
            except KeyError:  # empty, perhaps since a straggling thread took the last one
                return released
            try:
                if steps.release_claim(
                    job.id or 0, job.attempts, self.worker_id, uow=self.uow(), clock=self.clock
                ):
                    released += 1
            except Exception:
                log.exception("job %s: undoing its claim failed; it will be rescued", job.id)

    def run(self, job_id: int) -> None:
        """Claim the job (unless `claim_ahead` did) and submit it to its provider; a lost
        claim is a no-op.

        Claims of the process's threads are written together, a batch per transaction (see
        `group_commit`); so are completions, by the completer thread when it runs."""
        ahead = self._ahead.pop(job_id, None)
        job = self._claims.submit(job_id) if ahead is None else self._still_ours(*ahead)
        if job is None:
            log.info("job %s already claimed or finished; skipping", job_id)
            return
        if self._stopped(job):
            return
        self._guarded(job, lambda: self._provider(job).submit(self._call(job)), polling=False)

    def _still_ours(self, job: Job, claimed_at: float) -> Job | None:
        """A job claimed ahead, read again if it waited past `ahead_recheck`; None if it is
        no longer this worker's attempt (rescued and claimed elsewhere, or finished)."""
        if time.monotonic() - claimed_at < self.ahead_recheck:
            return job
        current = steps.load_job(job.id or 0, uow=self.uow())
        ours = current.status is Status.PROCESSING and current.worker_id == self.worker_id
        return current if ours and current.attempts == job.attempts else None

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
            steps.cancel_running_job(job.id or 0, uow=self.uow(), clock=self.clock)
            self.metrics.job_finished(
                "cancelled", job.input_json.get("provider", ""), self._age(job)
            )
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

    def _guarded(self, job: Job, step: Callable[[], Outcome], *, polling: bool) -> None:
        started = time.monotonic()
        try:
            self._advance(job, step(), started)
        except ProviderError as err:
            self.metrics.provider_error(job.input_json.get("provider", ""), err.code)
            log.warning("job %s: provider error %s", job.id, err.code)
            if not err.retryable:
                self._fail(job, err.code, err.message)
            elif polling:
                self._poll_again(job, err)
            else:
                self._retry_or_fail(job, err.code, err.message, err.retry_after)
        except UnsupportedMedia as err:
            self._fail(job, "invalid_output", f"the provider returned an unusable file: {err}")
        except OSError as err:
            log.warning("job %s: storage error %s", job.id, err)
            self._retry_or_fail(job, "storage_unavailable", "could not read or write storage", None)
        except Exception:
            log.exception("job %s: unexpected error", job.id)
            self._fail(job, "internal_error", "an unexpected error stopped this job")

    def _provider(self, job: Job) -> ProviderGateway:
        name = job.input_json["provider"]
        if name not in self.providers:
            raise ProviderError("provider_not_configured", f"provider {name!r} is not configured")
        return self.providers[name]

    def _call(self, job: Job) -> ProviderCall:
        data = job.input_json
        inputs = tuple(
            InputImage(
                data=self.storage.get(i["storage_path"]),
                file_format=i["file_format"],
                slot=i["slot"],
            )
            for i in data.get("inputs", [])
        )
        return ProviderCall(
            job_id=job.id or 0,
            model=data["model"],
            endpoint=data.get("endpoint"),
            prompt=data["prompt"],
            negative_prompt=data.get("negative_prompt"),
            params=dict(data.get("params", {})),
            seed=int(data["seed"]),
            inputs=inputs,
        )

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
        stored = []
        for index, output in enumerate(outcome.outputs):
            data = (
                output.data
                if output.data is not None
                else self._provider(job).fetch(output.url or "")
            )
            info = self.images.describe(data)
            key = output_key(job.user_id, job.request_id or 0, job.id or 0, index, info.file_format)
            self.storage.put(key, data, info.content_type)
            stored.append(steps.StoredOutput(index=index, storage_path=key, info=info))
        # A poll in another process knows no submit cost; the job row kept it.
        cost = outcome.provider_cost if outcome.provider_cost is not None else job.provider_cost
        metadata: dict[str, Any] = {
            "provider": job.input_json["provider"],
            "model": job.input_json["model"],
            "outputs": len(stored),
            "duration_ms": round((time.monotonic() - started) * 1000),
            "provider_cost": cost,
            "provider_metadata": outcome.metadata,
        }
        completion = steps.Completion(
            job=job,
            outputs=stored,
            metadata=metadata,
            provider_cost=cost,
        )
        if self._completer.put(completion):
            return
        if self._completions.submit(completion):
            self._completed(job)

    def _completed(self, job: Job) -> None:
        self.metrics.job_finished("completed", job.input_json["provider"], self._age(job))

    def _write_finished(self, finished: list[steps.Completion]) -> list[steps.Completion]:
        """The completer's write: complete the jobs; fail those whose completion raised, as
        `run` does; give back those that could not even be failed (database unreachable)."""
        results: list[bool | Exception]
        try:
            results = self.complete_all(finished)
        except Exception as error:  # a batch of one: complete_all raises its error
            results = [error]
        again = []
        for completion, result in zip(finished, results, strict=True):
            if result is True:
                self._completed(completion.job)
            elif isinstance(result, Exception):
                log.error("job %s: completing failed", completion.job_id, exc_info=result)
                try:
                    self._fail(
                        completion.job, "internal_error", "an unexpected error stopped this job"
                    )
                except Exception:
                    again.append(completion)
        if len(again) < len(finished) and self.on_finished is not None:
            self.on_finished()
        return again

    def claim_all(self, job_ids: list[int]) -> list[Job | None]:
        """Claim these jobs in one transaction; per id, its job if this call claimed it."""
        claimed = steps.claim_jobs(
            job_ids,
            self.worker_id,
            uow=self.uow(),
            clock=self.clock,
            job_timeout=self.retry.job_timeout,
        )
        # pop: a job whose message came twice goes to one thread only
        return [claimed.pop(job_id, None) for job_id in job_ids]

    def complete_all(self, completions: list[steps.Completion]) -> list[bool | Exception]:
        """Complete these jobs in one transaction; if that fails, each alone, so that one
        job's error stays its own. Per completion: True, False (moved on) or the error."""
        try:
            done = steps.complete_jobs(completions, uow=self.uow(), clock=self.clock)
        except Exception:
            if len(completions) == 1:
                raise
            return [self._complete_alone(completion) for completion in completions]
        return [(completion.job_id, completion.attempt) in done for completion in completions]

    def _complete_alone(self, completion: steps.Completion) -> bool | Exception:
        try:
            return bool(steps.complete_jobs([completion], uow=self.uow(), clock=self.clock))
        except Exception as error:
            return error

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
        run_after = self.clock.now() + timedelta(seconds=delay)
        if job.attempts_left <= 0 or job.is_past_deadline(run_after):
            self._fail(job, code, message)
            return
        log.info(
            "job %s: attempt %s failed (%s); retrying in %.1fs", job.id, job.attempts, code, delay
        )
        steps.requeue_job(
            job.id or 0, job.attempts, code, message, uow=self.uow(), run_after=run_after
        )

    def _fail(self, job: Job, code: str, message: str) -> None:
        if steps.fail_job(
            job.id or 0, job.attempts, code, message, uow=self.uow(), clock=self.clock
        ):
            self.metrics.job_finished("failed", job.input_json.get("provider", ""), self._age(job))

    def _age(self, job: Job) -> float:
        started = job.started_at or self.clock.now()
        return max((self.clock.now() - started).total_seconds(), 0.0)
