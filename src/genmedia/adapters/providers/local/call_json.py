"""Provider calls as JSON: the stored form of a task, and canonical bytes to hash."""

from __future__ import annotations

import base64
import json
from typing import Any

from genmedia.application.errors import ProviderError
from genmedia.application.ports import InputImage, LoraCall, ProviderCall, TrainingCall


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _images_to_json(images: tuple[InputImage, ...]) -> list[dict[str, Any]]:
    return [
        {"slot": image.slot, "file_format": image.file_format, "data": _b64(image.data)}
        for image in images
    ]


def _images_from_json(items: list[dict[str, Any]]) -> tuple[InputImage, ...]:
    return tuple(
        InputImage(
            data=base64.b64decode(item["data"]), file_format=item["file_format"], slot=item["slot"]
        )
        for item in items
    )


def _lora_to_json(lora: LoraCall | None) -> dict[str, Any] | None:
    if lora is None:
        return None
    data = None if lora.data is None else _b64(lora.data)
    return {"scale": lora.scale, "url": lora.url, "data": data}


def _lora_from_json(doc: dict[str, Any] | None) -> LoraCall | None:
    if doc is None:
        return None
    data = None if doc.get("data") is None else base64.b64decode(doc["data"])
    return LoraCall(scale=doc["scale"], url=doc.get("url"), data=data)


def training_to_json(call: TrainingCall) -> dict[str, Any]:
    """The training call as JSON, its images in base64, marked as a training."""
    return {
        "kind": "training",
        "job_id": call.job_id,
        "model": call.model,
        "endpoint": call.endpoint,
        "trigger_word": call.trigger_word,
        "type": call.type,
        "instance_prompt": call.instance_prompt,
        "class_prompt": call.class_prompt,
        "steps": call.steps,
        "learning_rate": call.learning_rate,
        "images": _images_to_json(call.images),
    }


def training_from_json(spec: dict[str, Any]) -> TrainingCall:
    """The training call a stored task spec holds."""
    return TrainingCall(
        job_id=spec["job_id"],
        model=spec["model"],
        endpoint=spec["endpoint"],
        trigger_word=spec["trigger_word"],
        type=spec["type"],
        instance_prompt=spec["instance_prompt"],
        class_prompt=spec["class_prompt"],
        steps=spec["steps"],
        learning_rate=spec["learning_rate"],
        images=_images_from_json(spec["images"]),
    )


def call_to_json(call: ProviderCall) -> dict[str, Any]:
    """The call as JSON, input images (and LoRA bytes) in base64; params must be JSON
    values. A call without a LoRA has no "lora" key, as before LoRAs were carried."""
    doc = {
        "job_id": call.job_id,
        "model": call.model,
        "endpoint": call.endpoint,
        "prompt": call.prompt,
        "negative_prompt": call.negative_prompt,
        "params": call.params,
        "seed": call.seed,
        "inputs": _images_to_json(call.inputs),
    }
    if call.lora is not None:
        doc["lora"] = _lora_to_json(call.lora)
    return doc


def call_from_json(spec: dict[str, Any]) -> ProviderCall:
    """The call a stored task spec holds."""
    return ProviderCall(
        job_id=spec["job_id"],
        model=spec["model"],
        endpoint=spec["endpoint"],
        prompt=spec["prompt"],
        negative_prompt=spec["negative_prompt"],
        params=spec["params"],
        seed=spec["seed"],
        inputs=_images_from_json(spec["inputs"]),
        lora=_lora_from_json(spec.get("lora")),
    )


def canonical(value: Any) -> bytes:
    """Compact, key-sorted JSON bytes; ProviderError("invalid_params") for non-JSON values."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    except (TypeError, ValueError) as exc:
        raise ProviderError("invalid_params", f"params must be JSON values: {exc}") from exc
