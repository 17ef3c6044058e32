"""The params of a call, checked and resolved into a Job: size, format, strength, guidance."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from typing import Any

import attrs

from genmedia.adapters.providers.local.call_json import canonical
from genmedia.adapters.providers.local.trainer import load_weights
from genmedia.application.errors import ProviderError
from genmedia.application.ports import InputImage, ProviderCall

_MAX_SIDE = 4096
_DEFAULT_SIDE = 512
_DEFAULT_STRENGTH = 0.6
_DEFAULT_GUIDANCE = 3.5
_FORMAT_ALIASES = {"png": "png", "jpeg": "jpeg", "jpg": "jpeg", "webp": "webp"}
_RATIO = re.compile(r"\s*(\d+)\s*:\s*(\d+)\s*")


@attrs.frozen(kw_only=True)
class Job:
    """What one render needs, resolved from a call."""

    prompt: str
    negative_prompt: str
    width: int
    height: int
    file_format: str
    strength: float
    guidance: float
    source: bytes | None
    seed_bytes: bytes
    # The local trainer's weights to apply, and how strongly (`lora.py`); not in the seed,
    # so the same call at another weight draws the same picture before they are applied.
    lora: dict[str, Any] | None = None
    lora_weight: float = 0.0


def job_from_call(call: ProviderCall) -> Job:
    """Resolve and check the call's params; ProviderError("invalid_params") if wrong."""
    params = call.params
    width, height = _size(params)
    file_format = _file_format(params)
    strength = _float_param(params, "strength", _DEFAULT_STRENGTH)
    if not 0.0 <= strength <= 1.0:
        raise _invalid("strength must be between 0 and 1")
    guidance = _float_param(params, "guidance", _DEFAULT_GUIDANCE)
    source = _source(call.inputs)
    return Job(
        prompt=call.prompt,
        negative_prompt=call.negative_prompt or "",
        width=width,
        height=height,
        file_format=file_format,
        strength=strength,
        guidance=guidance,
        source=source,
        seed_bytes=_seed_bytes(call, width, height, source),
        lora=_lora(call),
        lora_weight=call.lora.scale if call.lora is not None else 0.0,
    )


def _lora(call: ProviderCall) -> dict[str, Any] | None:
    """The local trainer's weights the call applies, read from the bytes it carries."""
    if call.lora is None:
        return None
    if call.lora.data is None:
        raise ProviderError("invalid_input", "the local provider takes a LoRA's bytes, not a URL")
    return load_weights(call.lora.data)


def _invalid(message: str) -> ProviderError:
    return ProviderError("invalid_params", message)


def _size(params: dict[str, Any]) -> tuple[int, int]:
    """Width and height from the params, reshaped by `aspect_ratio` if given."""
    width = _int_param(params, "width", _DEFAULT_SIDE)
    height = _int_param(params, "height", _DEFAULT_SIDE)
    if params.get("aspect_ratio") is not None:
        return _apply_ratio(width, params["aspect_ratio"])
    return width, height


def _file_format(params: dict[str, Any]) -> str:
    """The output format's canonical name; png unless `output_format` says otherwise."""
    file_format = _FORMAT_ALIASES.get(str(params.get("output_format") or "png").lower())
    if file_format is None:
        raise _invalid("output_format must be png, jpeg or webp")
    return file_format


def _number(params: dict[str, Any], key: str, default: float, kind: str) -> float:
    """The param's int or float value, `default` if missing or None."""
    value = params.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(f"{key} must be {kind}")
    return value


def _int_param(params: dict[str, Any], key: str, default: int) -> int:
    value = _number(params, key, default, "a whole number")
    if isinstance(value, float) and not value.is_integer():
        raise _invalid(f"{key} must be a whole number")
    if not 8 <= value <= _MAX_SIDE:
        raise _invalid(f"{key} must be between 8 and {_MAX_SIDE}")
    return int(value)


def _float_param(params: dict[str, Any], key: str, default: float) -> float:
    value = _number(params, key, default, "a number")
    if not math.isfinite(value):
        raise _invalid(f"{key} must be a number")
    return float(value)


def _apply_ratio(long_side: int, ratio: Any) -> tuple[int, int]:
    """The size with this "W:H" ratio whose long side is `long_side`, short side a multiple of 8."""
    match = _RATIO.fullmatch(str(ratio))
    if not match or int(match[1]) == 0 or int(match[2]) == 0:
        raise _invalid(f"aspect_ratio must look like 16:9, not {ratio!r}")
    ratio_w, ratio_h = int(match[1]), int(match[2])
    short = max(8, round(long_side * min(ratio_w, ratio_h) / max(ratio_w, ratio_h) / 8) * 8)
    return (long_side, short) if ratio_w >= ratio_h else (short, long_side)


def _source(inputs: Sequence[InputImage]) -> bytes | None:
    """The input image to transform: the one in the "image" slot, else the first."""
    for image in inputs:
        if image.slot == "image":
            return image.data
    return inputs[0].data if inputs else None


def _seed_bytes(call: ProviderCall, width: int, height: int, source: bytes | None) -> bytes:
    """The digest that seeds the drawing: everything that may change the picture."""
    seed_material = [
        call.model,
        call.prompt,
        call.negative_prompt,
        call.seed,
        width,
        height,
        call.params,
        hashlib.sha256(source).hexdigest() if source else None,
    ]
    return hashlib.sha256(canonical(seed_material)).digest()
