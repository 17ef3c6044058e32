"""A LoRA training on fal (providers.md §2.10): its submit body, and its finished result.

The trainer is an endpoint of its own (`fal-ai/flux-lora-fast-training` unless the base
model's training limits name another), queued and polled like any fal request. fal
downloads the images as one zip archive from `images_data_url`: a time-limited URL of our
copy, which fal must be able to reach (S3 presigned URLs, or signed links of the local
storage under a public `GENMEDIA_PUBLIC_URL`). The result names the LoRA
(`diffusers_lora_file.url`) and its `config_file.url`, fal CDN URLs that expire; they are
the training's "weights" and "config" artifacts, copied into our storage at once.
"""

from __future__ import annotations

from typing import Any

from genmedia.adapters.providers.fal.results import cost_of
from genmedia.adapters.providers.fal.transport import Answer
from genmedia.application.errors import ProviderError
from genmedia.application.ports import Finished, ProviderOutput, TrainingCall

FAST_TRAINER = "fal-ai/flux-lora-fast-training"
PORTRAIT_TRAINER = "fal-ai/flux-lora-portrait-trainer"
WEIGHTS = "diffusers_lora_file"
_ARTIFACTS = {"weights": WEIGHTS, "config": "config_file"}
UNREACHABLE = (
    "fal downloads the training images from a URL: the storage must give one fal can reach "
    "(S3, or the local storage with a public GENMEDIA_PUBLIC_URL)"
)


def trainer_of(call: TrainingCall) -> str:
    """The endpoint that trains the call's LoRA."""
    return call.trainer or FAST_TRAINER


def training_body(call: TrainingCall) -> dict[str, Any]:
    """The trainer's input: the archive's URL, the trigger word, the steps, and what the
    trainer takes of the type and learning rate."""
    url = call.images_url or ""
    if not url.startswith(("https://", "http://")):
        raise ProviderError("provider_not_configured", UNREACHABLE)
    body: dict[str, Any] = {"images_data_url": url, "steps": call.steps}
    if trainer_of(call) == PORTRAIT_TRAINER:
        return body | {"trigger_phrase": call.trigger_word, "learning_rate": call.learning_rate}
    portrait = call.type == "portrait"
    return body | {
        "trigger_word": call.trigger_word,
        "is_style": not portrait,
        "create_masks": portrait,
    }


def is_training(body: Any) -> bool:
    """Whether a result is a trainer's (it names a LoRA file)."""
    return isinstance(body, dict) and WEIGHTS in body


def trained(request_id: str, result: Answer) -> Finished:
    """The LoRA and config URLs of a finished training, as its artifacts."""
    body = result.body if isinstance(result.body, dict) else {}
    artifacts = {
        name: ProviderOutput(url=url)
        for name, field in _ARTIFACTS.items()
        if (url := _url(body.get(field))) is not None
    }
    if "weights" not in artifacts:
        raise ProviderError("no_result", "fal finished the training but named no LoRA file")
    cost = cost_of(result.headers)
    return Finished(
        outputs=(), provider_cost=cost, metadata={"request_id": request_id}, artifacts=artifacts
    )


def _url(file: Any) -> str | None:
    url = file.get("url") if isinstance(file, dict) else None
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else None
