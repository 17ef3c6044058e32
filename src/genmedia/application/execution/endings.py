"""How a job's attempt ends: completed, failed or cancelled, each counted in the metrics.

Completions can be written many in one transaction: a worker runtime hands its batches to
`settle` from a thread of its own; a runner with no runtime calls `complete_one`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import attrs

from genmedia.application.execution import steps
from genmedia.application.execution.completion import Completion, complete_jobs
from genmedia.application.ports import Clock, Metrics, UnitOfWork
from genmedia.domain.job import Job
from genmedia.domain.moderation import ModerationStage
from genmedia.domain.scheduling import Fail

log = logging.getLogger(__name__)


@attrs.frozen(kw_only=True)
class JobEndings:
    """Writes the ends of jobs' attempts and reports each to `metrics`."""

    uow: Callable[[], UnitOfWork]
    clock: Clock
    metrics: Metrics

    def complete_one(self, completion: Completion) -> None:
        """Complete this job now, in this thread; raises what completing it raised."""
        if self.complete_all([completion])[0] is True:
            self.completed(completion.job)

    def complete_all(self, completions: list[Completion]) -> list[bool | Exception]:
        """Complete these jobs in one transaction; if that fails, each alone, so that one
        job's error stays its own. Per completion: True, False (moved on) or the error."""
        try:
            done = complete_jobs(completions, uow=self.uow(), clock=self.clock)
        except Exception:
            if len(completions) == 1:
                raise
            return [self._complete_alone(completion) for completion in completions]
        return [(completion.job_id, completion.lease) in done for completion in completions]

    def _complete_alone(self, completion: Completion) -> bool | Exception:
        try:
            return bool(complete_jobs([completion], uow=self.uow(), clock=self.clock))
        except Exception as error:
            return error

    def settle(self, finished: list[Completion]) -> list[Completion]:
        """Complete these jobs; fail those whose completion raised, as a run does; give back
        those that could not even be failed (database unreachable)."""
        results: list[bool | Exception]
        try:
            results = self.complete_all(finished)
        except Exception as error:  # a batch of one: complete_all raises its error
            results = [error]
        again = []
        for completion, result in zip(finished, results, strict=True):
            if result is True:
                self.completed(completion.job)
            elif isinstance(result, Exception) and not self._failed_instead(completion, result):
                again.append(completion)
        return again

    def _failed_instead(self, completion: Completion, error: Exception) -> bool:
        log.error("job %s: completing failed", completion.job_id, exc_info=error)
        try:
            self.fail(completion.job, "internal_error", "an unexpected error stopped this job")
        except Exception:
            return False
        return True

    def completed(self, job: Job) -> None:
        """Count a job completed."""
        self.metrics.job_finished("completed", job.input.provider, self._age(job))

    def fail(
        self,
        job: Job,
        code: str,
        message: str,
        decided: Fail | None = None,
        moderation: ModerationStage | None = None,
    ) -> None:
        """Fail the job's attempt with a code and a message (and the attempts spent that
        `Job.after_failure` `decided`, if it did; the stage moderation blocked, if it did),
        releasing its hold; or send it to its fallback model, if this failure does that
        (`Job.falls_back_on`)."""
        if job.falls_back_on(code, self.clock.now()):
            if steps.fall_back_job(job, code, message, uow=self.uow()):
                log.info("job %s: %s; falling back to its fallback model", job.id, code)
            return
        failed = steps.fail_job(
            job, code, message, uow=self.uow(), clock=self.clock, decided=decided,
            moderation=moderation,
        )  # fmt: skip
        if failed:
            self.metrics.job_finished("failed", job.input.provider, self._age(job))

    def cancel(self, job: Job) -> None:
        """Stop a running job whose cancellation was requested, releasing its hold."""
        steps.cancel_running_job(job.id or 0, uow=self.uow(), clock=self.clock)
        self.metrics.job_finished("cancelled", job.input.provider, self._age(job))

    def _age(self, job: Job) -> float:
        started = job.started_at or self.clock.now()
        return max((self.clock.now() - started).total_seconds(), 0.0)
