"""What a job sends its provider, and what it keeps of a finished answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from genmedia.application.execution.completion import Completion, StoredOutput
from genmedia.application.ports import (
    Finished,
    ImageProcessor,
    InputImage,
    ObjectStorage,
    ProviderCall,
    ProviderGateway,
)
from genmedia.domain.job import Job
from genmedia.domain.media import output_key
from genmedia.domain.provider_cost import cost_facts


def webhook_url(base: str | None, gateway: ProviderGateway) -> str | None:
    """Where `gateway`'s provider is to report that a task is done: under the API's public
    `base` URL, if there is one and the provider takes webhooks."""
    if not base or not gateway.accepts_webhooks:
        return None
    return f"{base.rstrip('/')}/v1/webhooks/{gateway.name}"


def provider_call(job: Job, storage: ObjectStorage, webhook_url: str | None = None) -> ProviderCall:
    """The call that runs the job, its input images read from storage; the provider may
    call `webhook_url` when its task is done."""
    given = job.input
    inputs = tuple(
        InputImage(data=storage.get(i.storage_path), file_format=i.file_format, slot=i.slot)
        for i in given.images
    )
    return ProviderCall(
        job_id=job.id or 0,
        model=given.model,
        endpoint=given.endpoint,
        prompt=given.prompt,
        negative_prompt=given.negative_prompt,
        params=dict(given.params),
        seed=given.seed,
        inputs=inputs,
        webhook_url=webhook_url,
    )


def stored_outputs(
    job: Job,
    outcome: Finished,
    *,
    fetch: Callable[[str], bytes],
    storage: ObjectStorage,
    images: ImageProcessor,
) -> list[StoredOutput]:
    """Each output, fetched from the provider if it only gave a URL, measured and written
    to storage under its deterministic key."""
    stored = []
    for index, output in enumerate(outcome.outputs):
        data = output.data if output.data is not None else fetch(output.url or "")
        info = images.describe(data)
        key = output_key(job.user_id, job.request_id or 0, job.id or 0, index, info.file_format)
        storage.put(key, data, info.content_type)
        stored.append(StoredOutput(index=index, storage_path=key, info=info))
    return stored


def completion_of(
    job: Job, outcome: Finished, stored: list[StoredOutput], duration_ms: int
) -> Completion:
    """The job's finished attempt, its outputs stored, ready to be written."""
    # A poll in another process knows no submit cost; the job row kept it.
    cost = outcome.provider_cost if outcome.provider_cost is not None else job.provider_cost
    metadata: dict[str, Any] = {
        "provider": job.input.provider,
        "model": job.input.model,
        "outputs": len(stored),
        "duration_ms": duration_ms,
        **cost_facts(cost),
        "provider_metadata": outcome.metadata,
    }
    return Completion(job=job, outputs=stored, metadata=metadata, provider_cost=cost)
