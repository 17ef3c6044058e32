"""Where a prediction is created, with what body, and its `Cancel-After` header.

A model slug names what runs:
- `owner/name` (an official model) is created at `POST /v1/models/owner/name/predictions`;
- `owner/name:<64-hex version id>`, or the bare version id, at `POST /v1/predictions`
  with `"version"` in the body.

The input carries the params as given (Replicate checks them against the model's schema),
then the prompt, the seed, a negative prompt if there is one, and each input image as a
data URL under its slot's name ("image", "mask", …; several images of one slot as a list).
A trained model's LoRA goes as `lora_weights` (a time-limited URL of our copy) and
`lora_scale`, the inputs of Replicate's FLUX LoRA models (e.g. `black-forest-labs/flux-dev-lora`).
"""

from __future__ import annotations

import base64
import math
import re
from typing import Any

import attrs

from genmedia.application.errors import ProviderError
from genmedia.application.ports import InputImage, ProviderCall

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}/[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_VERSION = re.compile(r"[0-9a-f]{64}")
_MIME = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
WEBHOOK_EVENTS = ("completed",)


@attrs.frozen
class Target:
    """The path a prediction is created at, and the version the body names (None: by model)."""

    path: str
    version: str | None = None


def target_for(model: str) -> Target:
    """The target of a model slug; invalid_input if it names neither a model nor a version."""
    name, _, version = model.partition(":")
    if not version and _VERSION.fullmatch(name):
        return Target("/v1/predictions", name)
    if not _NAME.fullmatch(name) or (version and not _VERSION.fullmatch(version)):
        raise ProviderError(
            "invalid_input", f"{model!r} is not a Replicate model (owner/name[:version])"
        )
    if version:
        return Target("/v1/predictions", version)
    return Target(f"/v1/models/{name}/predictions")


def create_body(call: ProviderCall, target: Target, webhook: str | None = None) -> dict[str, Any]:
    """The JSON body that creates the call's prediction."""
    body: dict[str, Any] = {"input": prediction_input(call)}
    if target.version:
        body["version"] = target.version
    if webhook:
        body |= {"webhook": webhook, "webhook_events_filter": list(WEBHOOK_EVENTS)}
    return body


def prediction_input(call: ProviderCall) -> dict[str, Any]:
    """The model's input: the params, then the prompt, seed, negative prompt and images."""
    given = {name: value for name, value in call.params.items() if value is not None}
    given |= {"prompt": call.prompt, "seed": call.seed}
    if call.negative_prompt:
        given["negative_prompt"] = call.negative_prompt
    if call.lora is not None:
        if call.lora.url is None:
            raise ProviderError("invalid_input", "Replicate takes a LoRA by its URL")
        given |= {"lora_weights": call.lora.url, "lora_scale": call.lora.scale}
    return given | _images(call.inputs)


def _images(inputs: tuple[InputImage, ...]) -> dict[str, Any]:
    slots: dict[str, list[str]] = {}
    for image in inputs:
        slots.setdefault(image.slot, []).append(data_url(image))
    return {slot: urls[0] if len(urls) == 1 else urls for slot, urls in slots.items()}


def data_url(image: InputImage) -> str:
    """The image as a `data:` URL, the form Replicate takes for file inputs."""
    mime = _MIME.get(image.file_format.lower(), f"image/{image.file_format.lower()}")
    return f"data:{mime};base64,{base64.b64encode(image.data).decode('ascii')}"


def cancel_after(seconds: float) -> str:
    """A duration in the `1h2m3s` form of the `Cancel-After` header, at least one second."""
    total = max(1, math.ceil(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    units = ((hours, "h"), (minutes, "m"), (secs, "s"))
    return "".join(f"{amount}{unit}" for amount, unit in units if amount)
