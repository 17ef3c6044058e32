"""The body of a chat completion that asks for an image (providers.md §4.2).

`modalities: ["image", "text"]` asks a text-and-image model such as Gemini for an image.
`aspect_ratio` and `image_size` go in `image_config`; other params (ours like "width" or
"guidance", and the negative prompt, which OpenRouter has none of) are left out and logged.
Input images go as `image_url` content parts holding data URLs; a mask has no place.
"""

from __future__ import annotations

import base64
import logging
from typing import Any

from genmedia.application.errors import ProviderError
from genmedia.application.ports import InputImage, ProviderCall

log = logging.getLogger(__name__)

IMAGE_CONFIG = frozenset({"aspect_ratio", "image_size"})
MODALITIES = ("image", "text")
# Some upstream providers take a signed 32-bit seed; ours go up to 2**32 - 1.
SEED_MODULUS = 2**31
_MEDIA_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
}


def request_body(call: ProviderCall) -> dict[str, Any]:
    """The JSON body of POST /chat/completions for this call."""
    if not call.model.strip():
        raise ProviderError("invalid_input", "no OpenRouter model named")
    body: dict[str, Any] = {
        "model": call.model,
        "messages": [{"role": "user", "content": _content(call)}],
        "modalities": list(MODALITIES),
        "stream": False,
        "seed": call.seed % SEED_MODULUS,
    }
    config = {k: v for k, v in call.params.items() if k in IMAGE_CONFIG and v is not None}
    if config:
        body["image_config"] = config
    dropped = sorted(set(call.params) - IMAGE_CONFIG)
    if call.negative_prompt:
        dropped.append("negative_prompt")
    if dropped:
        log.debug("openrouter %s takes no %s; left out", call.model, ", ".join(dropped))
    return body


def _content(call: ProviderCall) -> str | list[dict[str, Any]]:
    """The prompt alone, or the prompt and the input images as content parts."""
    if not call.inputs:
        return call.prompt
    parts: list[dict[str, Any]] = [{"type": "text", "text": call.prompt}]
    parts.extend(
        {"type": "image_url", "image_url": {"url": _data_url(image)}} for image in call.inputs
    )
    return parts


def _data_url(image: InputImage) -> str:
    if image.slot == "mask":
        raise ProviderError("invalid_input", "OpenRouter image models take no mask")
    media_type = _MEDIA_TYPES.get(image.file_format.lower())
    if media_type is None:
        raise ProviderError("invalid_input", f"unsupported input format {image.file_format!r}")
    return f"data:{media_type};base64,{base64.b64encode(image.data).decode('ascii')}"
