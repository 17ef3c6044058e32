"""The submit body of a call: prompt, seed, the params BFL's endpoint knows, and input images.

The model slug is BFL's endpoint name ("flux-dev", "flux-pro-1.1", "flux-kontext-pro", …).
Each known endpoint takes its own fields (BFL OpenAPI, see providers.md §1.3); params it
does not know (ours like "strength", or a negative prompt, which BFL has none of) are left
out and logged. An endpoint not in the table gets every field any endpoint takes, and its
images as `input_image`, `input_image_2`, ….
"""

from __future__ import annotations

import base64
import logging
import re
from typing import Any

import attrs

from genmedia.application.errors import ProviderError
from genmedia.application.ports import InputImage, ProviderCall

log = logging.getLogger(__name__)

_MODEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_COMMON = frozenset({"prompt_upsampling", "safety_tolerance", "output_format"})
_SIZE = frozenset({"width", "height"})
_SAMPLING = frozenset({"steps", "guidance"})
_FORMATS = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "webp": "webp"}


def _numbered(first: str, count: int) -> tuple[str, ...]:
    """`input_image`, `input_image_2`, … up to `count` fields."""
    return (first, *(f"{first}_{n}" for n in range(2, count + 1)))


@attrs.frozen
class Endpoint:
    """The params one BFL endpoint takes, and where its input images go."""

    params: frozenset[str]
    image_fields: tuple[str, ...] = ()
    mask_field: str | None = None


_FLUX2 = Endpoint(_COMMON | _SIZE, _numbered("input_image", 8))
_KONTEXT = Endpoint(_COMMON | {"aspect_ratio"}, _numbered("input_image", 4))
_ENDPOINTS: dict[str, Endpoint] = {
    "flux-dev": Endpoint(_COMMON | _SIZE | _SAMPLING, ("image_prompt",)),
    "flux-pro-1.1": Endpoint(_COMMON | _SIZE, ("image_prompt",)),
    "flux-pro-1.1-ultra": Endpoint(
        _COMMON | {"aspect_ratio", "raw", "image_prompt_strength"}, ("image_prompt",)
    ),
    "flux-kontext-pro": _KONTEXT,
    "flux-kontext-max": _KONTEXT,
    "flux-2-flex": Endpoint(_COMMON | _SIZE | _SAMPLING, _numbered("input_image", 8)),
    "flux-pro-1.0-fill": Endpoint(_COMMON | _SAMPLING, ("image",), mask_field="mask"),
    "flux-pro-1.0-expand": Endpoint(
        _COMMON | _SAMPLING | {"top", "bottom", "left", "right"}, ("image",)
    ),
}
_ANY_ENDPOINT = Endpoint(
    frozenset().union(*(endpoint.params for endpoint in _ENDPOINTS.values())),
    _numbered("input_image", 8),
)


def endpoint_for(model: str) -> Endpoint:
    """What BFL's endpoint for this model slug takes."""
    if model in _ENDPOINTS:
        return _ENDPOINTS[model]
    if model.startswith("flux-2-"):
        return _FLUX2
    return _ANY_ENDPOINT


def model_path(model: str) -> str:
    """The endpoint's path under the base URL; invalid_input if the slug is not a plain name."""
    if not _MODEL.fullmatch(model):
        raise ProviderError("invalid_input", f"{model!r} is not a BFL endpoint name")
    return f"/v1/{model}"


def submit_body(call: ProviderCall) -> dict[str, Any]:
    """The JSON body BFL's endpoint for `call.model` expects."""
    endpoint = endpoint_for(call.model)
    body: dict[str, Any] = {"prompt": call.prompt, "seed": call.seed}
    dropped = []
    for name, value in call.params.items():
        if name in endpoint.params:
            if value is not None:
                body[name] = _format(value) if name == "output_format" else value
        else:
            dropped.append(name)
    if call.negative_prompt:
        dropped.append("negative_prompt")
    if dropped:
        log.debug("bfl %s takes no %s; left out", call.model, ", ".join(sorted(dropped)))
    body.update(_images(call.model, endpoint, call.inputs))
    return body


def _format(value: Any) -> Any:
    """png, jpeg or webp, with "jpg" and any case accepted; other values go as given."""
    return _FORMATS.get(value.lower(), value) if isinstance(value, str) else value


def _images(model: str, endpoint: Endpoint, inputs: tuple[InputImage, ...]) -> dict[str, str]:
    """The input images as base64 fields: a "mask" slot to the mask field, others in order."""
    masks = [image for image in inputs if image.slot == "mask"]
    images = [image for image in inputs if image.slot != "mask"]
    if masks and endpoint.mask_field is None:
        raise ProviderError("invalid_input", f"{model} takes no mask")
    if len(masks) > 1:
        raise ProviderError("invalid_input", f"{model} takes one mask")
    if len(images) > len(endpoint.image_fields):
        most = len(endpoint.image_fields)
        raise ProviderError("invalid_input", f"{model} takes at most {most} input image(s)")
    named = zip(endpoint.image_fields, images, strict=False)
    fields = {name: _base64(image) for name, image in named}
    if masks and endpoint.mask_field is not None:
        fields[endpoint.mask_field] = _base64(masks[0])
    return fields


def _base64(image: InputImage) -> str:
    return base64.b64encode(image.data).decode("ascii")
