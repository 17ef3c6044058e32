"""Provider calls as JSON: the stored form of a task, and canonical bytes to hash."""

from __future__ import annotations

import base64
import json
from typing import Any

from genmedia.application.errors import ProviderError
from genmedia.application.ports import InputImage, ProviderCall


def call_to_json(call: ProviderCall) -> dict[str, Any]:
    """The call as JSON, input images in base64; params must be JSON values."""
    return {
        "job_id": call.job_id,
        "model": call.model,
        "endpoint": call.endpoint,
        "prompt": call.prompt,
        "negative_prompt": call.negative_prompt,
        "params": call.params,
        "seed": call.seed,
        "inputs": [
            {
                "slot": image.slot,
                "file_format": image.file_format,
                "data": base64.b64encode(image.data).decode("ascii"),
            }
            for image in call.inputs
        ],
    }


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
        inputs=tuple(
            InputImage(
                data=base64.b64decode(item["data"]),
                file_format=item["file_format"],
                slot=item["slot"],
            )
            for item in spec["inputs"]
        ),
    )


def canonical(value: Any) -> bytes:
    """Compact, key-sorted JSON bytes; ProviderError("invalid_params") for non-JSON values."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    except (TypeError, ValueError) as exc:
        raise ProviderError("invalid_params", f"params must be JSON values: {exc}") from exc
