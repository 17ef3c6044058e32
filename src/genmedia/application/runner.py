"""The worker's side of a job: claim, call the provider, store outputs, complete or fail."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from genmedia.application import execution
from genmedia.application.errors import ProviderError, UnsupportedMedia
from genmedia.application.ports import (
    Clock,
    Finished,
    ImageProcessor,
    InputImage,
    JobQueue,
    ObjectStorage,
    Outcome,
    ProviderCall,
    ProviderGateway,
    UnitOfWork,
)
from genmedia.domain.job import Job
from genmedia.domain.media import output_key
from genmedia.domain.status import Status

log = logging.getLogger(__name__)


@attrs.define(kw_only=True)
class JobRunner:
    """Runs and polls jobs; each step commits on its own and no I/O happens inside one."""

    uow: Callable[[], UnitOfWork]
    storage: ObjectStorage
    images: ImageProcessor
    providers: Mapping[str, ProviderGateway]
    queue: JobQueue
    clock: Clock
    worker_id: str

    def run(self, job_id: int) -> None:
        """Claim the job and submit it to its provider; a lost claim is a no-op."""
        job = execution.claim_job(job_id, self.worker_id, uow=self.uow(), clock=self.clock)
        if job is None:
            log.info("job %s already claimed or finished; skipping", job_id)
            return
        self._guarded(job, lambda: self._provider(job).submit(self._call(job)))

    def poll(self, job_id: int) -> None:
        """Ask the provider about the job's task and move the job on."""
        job = execution.load_job(job_id, uow=self.uow())
        if job.status is not Status.PROCESSING or job.provider_task_id is None:
            return
        task_id, url = job.provider_task_id, job.provider_polling_url
        self._guarded(job, lambda: self._provider(job).poll(task_id, url))

    def _guarded(self, job: Job, step: Callable[[], Outcome]) -> None:
        started = time.monotonic()
        try:
            self._advance(job, step(), started)
        except ProviderError as err:
            self._provider_failed(job, err)
        except UnsupportedMedia as err:
            self._fail(job, "invalid_output", f"the provider returned an unusable file: {err}")
        except OSError as err:
            log.warning("job %s: storage error %s", job.id, err)
            self._retry_or_fail(job, "storage_unavailable", "could not read or write storage")
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
        if execution.record_provider_task(job.id or 0, job.attempts, outcome, uow=self.uow()):
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
            stored.append(execution.StoredOutput(index=index, storage_path=key, info=info))
        metadata: dict[str, Any] = {
            "provider": job.input_json["provider"],
            "model": job.input_json["model"],
            "outputs": len(stored),
            "duration_ms": round((time.monotonic() - started) * 1000),
            "cost": int(job.input_json.get("credits", 0)),
            "provider_cost": outcome.provider_cost,
            "provider_metadata": outcome.metadata,
        }
        execution.complete_job(
            job.id or 0,
            job.attempts,
            stored,
            metadata,
            uow=self.uow(),
            clock=self.clock,
            provider_cost=outcome.provider_cost,
        )

    def _provider_failed(self, job: Job, err: ProviderError) -> None:
        log.warning("job %s: provider error %s", job.id, err.code)
        if err.retryable:
            self._retry_or_fail(job, err.code, err.message)
        else:
            self._fail(job, err.code, err.message)

    def _retry_or_fail(self, job: Job, code: str, message: str) -> None:
        if job.attempts_left > 0:
            execution.requeue_job(job.id or 0, job.attempts, code, message, uow=self.uow())
        else:
            self._fail(job, code, message)

    def _fail(self, job: Job, code: str, message: str) -> None:
        execution.fail_job(
            job.id or 0, job.attempts, code, message, uow=self.uow(), clock=self.clock
        )
