"""The submit body of a call: fal's input JSON for the endpoint.

A fal model's params are named as fal's endpoint names them (`image_size`,
`num_inference_steps`, `guidance_scale`, `enable_safety_checker`, …) and go as given.
Our generic names are translated when the fal name is not given too: `width` and `height`
become `image_size: {width, height}`, `aspect_ratio` one of fal's size presets, `steps`
`num_inference_steps`, `guidance` `guidance_scale`. Input images go as data URIs:
`image_url` (or `image_urls` for several), and a "mask" slot as `mask_url`. A trained
model's LoRA goes as `loras: [{path, scale}]` (the LoRA endpoints, e.g. `fal-ai/flux-lora`),
its path a time-limited URL of our copy.
"""

from __future__ import annotations

import base64
from typing import Any

from genmedia.application.errors import ProviderError
from genmedia.application.ports import InputImage, ProviderCall

_PRESETS = {
    "1:1": "square_hd",
    "4:3": "landscape_4_3",
    "3:4": "portrait_4_3",
    "16:9": "landscape_16_9",
    "9:16": "portrait_16_9",
}
_RENAMED = {"steps": "num_inference_steps", "guidance": "guidance_scale"}
_GENERIC = frozenset({"width", "height", "aspect_ratio", *_RENAMED})
_FORMATS = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "webp": "webp"}


def submit_body(call: ProviderCall) -> dict[str, Any]:
    """The JSON body fal's endpoint for `call.model` is sent."""
    params = {name: value for name, value in call.params.items() if value is not None}
    body: dict[str, Any] = {"prompt": call.prompt, "seed": call.seed}
    if call.negative_prompt:
        body["negative_prompt"] = call.negative_prompt
    body |= {name: value for name, value in params.items() if name not in _GENERIC}
    for ours, theirs in _RENAMED.items():
        if ours in params:
            body.setdefault(theirs, params[ours])
    if "image_size" not in body and (size := _image_size(params)) is not None:
        body["image_size"] = size
    if isinstance(body.get("output_format"), str):
        body["output_format"] = _FORMATS.get(body["output_format"].lower(), body["output_format"])
    if call.lora is not None:
        if call.lora.url is None:
            raise ProviderError("invalid_input", "fal takes a LoRA by its URL")
        body["loras"] = [{"path": call.lora.url, "scale": call.lora.scale}]
    return body | _images(call.inputs)


def _image_size(params: dict[str, Any]) -> Any:
    width, height = params.get("width"), params.get("height")
    if isinstance(width, int) and isinstance(height, int):
        return {"width": width, "height": height}
    aspect = params.get("aspect_ratio")
    return _PRESETS.get(aspect) if isinstance(aspect, str) else None


def _images(inputs: tuple[InputImage, ...]) -> dict[str, Any]:
    masks = [_data_uri(image) for image in inputs if image.slot == "mask"]
    images = [_data_uri(image) for image in inputs if image.slot != "mask"]
    if len(masks) > 1:
        raise ProviderError("invalid_input", "fal endpoints take one mask")
    fields: dict[str, Any] = {"mask_url": masks[0]} if masks else {}
    if len(images) == 1:
        fields["image_url"] = images[0]
    elif images:
        fields["image_urls"] = images
    return fields


def _data_uri(image: InputImage) -> str:
    kind = _FORMATS.get(image.file_format.lower(), image.file_format.lower())
    return f"data:image/{kind};base64," + base64.b64encode(image.data).decode("ascii")
