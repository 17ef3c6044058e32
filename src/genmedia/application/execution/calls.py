"""What a job sends its provider, and what it keeps of a finished answer."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import attrs

from genmedia.application.errors import ProviderError
from genmedia.application.execution.completion import Completion, StoredOutput
from genmedia.application.ports import (
    Finished,
    ImageProcessor,
    InputImage,
    LoraCall,
    ObjectStorage,
    Outcome,
    ProviderCall,
    ProviderGateway,
    TrainingCall,
    TrainingGateway,
)
from genmedia.application.trainings.archive import archive_url, suffix_of
from genmedia.application.trainings.outcomes import ARTIFACTS
from genmedia.domain.job import Job
from genmedia.domain.job_input import LoraUse
from genmedia.domain.media import output_key
from genmedia.domain.provider_cost import cost_facts
from genmedia.domain.training import TrainingSpec

LORA_URL_SECONDS = 3600  # how long a provider may take to download a LoRA we hand it


def webhook_url(base: str | None, gateway: ProviderGateway) -> str | None:
    """Where `gateway`'s provider is to report that a task is done: under the API's public
    `base` URL, if there is one and the provider takes webhooks."""
    if not base or not gateway.accepts_webhooks:
        return None
    return f"{base.rstrip('/')}/v1/webhooks/{gateway.name}"


def submit(
    job: Job, gateway: ProviderGateway, storage: ObjectStorage, webhook_url: str | None
) -> Outcome:
    """Submit the job to its provider: a training to its trainer, anything else as a call."""
    training = job.input.training
    if training is None:
        return gateway.submit(provider_call(job, storage, webhook_url, gateway))
    if not isinstance(gateway, TrainingGateway):
        raise ProviderError("unsupported", f"provider {gateway.name!r} does not train models")
    call = training_call(job, training, storage, webhook_url, archived=gateway.archived_images)
    return gateway.submit_training(call)


def training_call(
    job: Job,
    training: TrainingSpec,
    storage: ObjectStorage,
    webhook_url: str | None,
    *,
    archived: bool = False,
) -> TrainingCall:
    """The call that trains the job's model, its images read from storage in order (and,
    for a trainer that downloads them, stored as one archive at a time-limited URL)."""
    images = tuple(
        InputImage(data=storage.get(i.storage_path), file_format=i.file_format, slot=f"{i.order}")
        for i in training.images
    )
    key = f"{_job_prefix(job)}-images.zip"
    return TrainingCall(
        job_id=job.id or 0,
        model=job.input.model,
        endpoint=job.input.endpoint,
        trigger_word=training.trigger_word,
        type=training.type,
        instance_prompt=training.instance_prompt,
        class_prompt=training.class_prompt,
        steps=training.steps,
        learning_rate=training.learning_rate,
        images=images,
        webhook_url=webhook_url,
        trainer=training.trainer,
        images_url=archive_url(key, images, storage) if archived else None,
    )


def _job_prefix(job: Job) -> str:
    """Where the files of a training job are kept in storage, unique to the job."""
    return f"trained/u{job.user_id}/r{job.request_id or 0}/j{job.id or 0}"


def lora_call(lora: LoraUse, storage: ObjectStorage, inline: bool) -> LoraCall:
    """The LoRA a call applies: its bytes, or a time-limited URL of our copy (a URL kept
    elsewhere is handed over as it is)."""
    where = lora.weights_url or ""
    if "://" in where:
        return LoraCall(scale=lora.weight, url=where)
    if inline:
        return LoraCall(scale=lora.weight, data=storage.get(where))
    return LoraCall(scale=lora.weight, url=storage.url(where, LORA_URL_SECONDS))


def provider_call(
    job: Job,
    storage: ObjectStorage,
    webhook_url: str | None = None,
    gateway: ProviderGateway | None = None,
) -> ProviderCall:
    """The call that runs the job, its input images (and LoRA) read from storage; the
    provider may call `webhook_url` when its task is done."""
    given = job.input
    inline = gateway is not None and gateway.inline_loras
    lora = lora_call(given.lora, storage, inline) if given.lora is not None else None
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
        lora=lora,
    )


def finished(
    job: Job,
    outcome: Finished,
    *,
    fetch: Callable[[str], bytes],
    storage: ObjectStorage,
    images: ImageProcessor,
    started: float,
) -> Completion:
    """The job's finished attempt with its outputs (and artifacts) stored, to be written;
    its duration counted from `started` (`time.monotonic`) to now."""
    stored = stored_outputs(job, outcome, fetch=fetch, storage=storage, images=images)
    files = stored_artifacts(job, outcome, fetch=fetch, storage=storage)
    duration_ms = round((time.monotonic() - started) * 1000)
    completion = completion_of(job, outcome, stored, duration_ms)
    if not files:
        return completion
    return attrs.evolve(completion, metadata={**completion.metadata, ARTIFACTS: files})


def stored_artifacts(
    job: Job, outcome: Finished, *, fetch: Callable[[str], bytes], storage: ObjectStorage
) -> dict[str, str]:
    """Each artifact (a training's weights and config), fetched at once if the provider only
    gave a URL (it expires), written to storage under a key of its own job (with the URL's
    file suffix, which a provider loading it may need); the keys, by name."""
    keys = {}
    for name, output in sorted(outcome.artifacts.items()):
        data = output.data if output.data is not None else fetch(output.url or "")
        key = f"{_job_prefix(job)}-{name}{suffix_of(output.url)}"
        storage.put(key, data, "application/octet-stream")
        keys[name] = key
    return keys


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
