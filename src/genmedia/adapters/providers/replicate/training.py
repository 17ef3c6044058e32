"""A LoRA training on Replicate (providers.md §3.1, §3.5.8): the destination model, the
training's create, and its finished output.

The trainer is a version of a trainer model, `owner/name:<version id>` (the base model's
training limits name it, e.g. `ostris/flux-dev-lora-trainer:…`). Each training makes a new
version of the destination model (`owner/name`, configured), created first with
`POST /v1/models` (409: it exists). The training is created at
`POST /v1/models/{owner}/{name}/versions/{version}/trainings` with the images as one zip
archive at a time-limited URL of our copy (`input_images`), which Replicate must be able to
reach; it is polled at `GET /v1/trainings/{id}` and cancelled at its `/cancel`. A
succeeded training's `output.weights` is a URL that expires: the "weights" artifact,
copied into our storage at once.
"""

from __future__ import annotations

from typing import Any

from genmedia.adapters.providers.replicate.payload import WEBHOOK_EVENTS, target_for
from genmedia.adapters.providers.replicate.results import cost_of, raw
from genmedia.application.errors import ProviderError
from genmedia.application.ports import Finished, ProviderOutput, TrainingCall

UNREACHABLE = (
    "Replicate downloads the training images from a URL: the storage must give one Replicate "
    "can reach (S3, or the local storage with a public GENMEDIA_PUBLIC_URL)"
)
NO_DESTINATION = (
    "Replicate trains into a destination model: set GENMEDIA_REPLICATE_TRAINING_DESTINATION "
    "to owner/name"
)


def destination_of(destination: str | None) -> tuple[str, str]:
    """The owner and name of the destination model; provider_not_configured if unset."""
    owner, _, name = (destination or "").partition("/")
    if not owner or not name or "/" in name:
        raise ProviderError("provider_not_configured", NO_DESTINATION)
    return owner, name


def model_body(owner: str, name: str, hardware: str) -> dict[str, Any]:
    """The body that creates the destination model, private."""
    return {"owner": owner, "name": name, "visibility": "private", "hardware": hardware}


def trainings_path(call: TrainingCall) -> str:
    """Where the call's training is created: under its trainer's version."""
    trainer = call.trainer or ""
    name = trainer.partition(":")[0]
    target = target_for(trainer) if trainer else None
    if target is None or target.version is None or "/" not in name:
        message = f"the base model's training limits name no trainer version ({trainer!r})"
        raise ProviderError("provider_not_configured", message)
    return f"/v1/models/{name}/versions/{target.version}/trainings"


def training_body(call: TrainingCall, destination: str, webhook: str | None) -> dict[str, Any]:
    """The training's create body: the destination, the trainer's input and the webhook."""
    url = call.images_url or ""
    if not url.startswith(("https://", "http://")):
        raise ProviderError("provider_not_configured", UNREACHABLE)
    given = {
        "input_images": url,
        "trigger_word": call.trigger_word,
        "steps": call.steps,
        "learning_rate": call.learning_rate,
    }
    body: dict[str, Any] = {"destination": destination, "input": given}
    if webhook:
        body |= {"webhook": webhook, "webhook_events_filter": list(WEBHOOK_EVENTS)}
    return body


def trained(answer: dict[str, Any]) -> Finished:
    """A succeeded training: its weights URL as the "weights" artifact, and the version
    it made."""
    output = answer.get("output")
    weights = output.get("weights") if isinstance(output, dict) else None
    if not isinstance(weights, str) or not weights.startswith(("https://", "http://")):
        if output is None and answer.get("data_removed") is True:
            raise ProviderError("result_expired", "Replicate removed the training's output")
        raise ProviderError("no_result", f"the training gave no weights URL: {raw(output)}")
    version = output.get("version") if isinstance(output, dict) else None
    facts = {"training_id": answer.get("id"), "version": version}
    metadata = {key: value for key, value in facts.items() if isinstance(value, str)}
    artifacts = {"weights": ProviderOutput(url=weights)}
    cost = cost_of(answer)
    return Finished(outputs=(), provider_cost=cost, metadata=metadata, artifacts=artifacts)
