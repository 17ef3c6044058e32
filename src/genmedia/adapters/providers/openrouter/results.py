"""What a 200 answer to a completion request means: finished with images, or a failure.

The images are in `choices[0].message.images[].image_url.url` (providers.md §4.2). A 200
without an image is a failure, never a success: `content_moderated` at the output when the
answer says a filter or the model refused (finish_reason `content_filter`, a `refusal`, an
embedded error of type `content_policy_violation` or `refusal`, or a safety-blocked native
finish reason), else `no_result`. Neither is retried: the answer came, and was billed.
"""

from __future__ import annotations

import json
import math
from typing import Any

from genmedia.adapters.providers.openrouter.errors import ErrorBody, object_of, shorten
from genmedia.adapters.providers.openrouter.images import MAX_IMAGE_BYTES, output_of
from genmedia.application.errors import ProviderError
from genmedia.application.ports import Finished
from genmedia.domain.moderation import ModerationStage
from genmedia.domain.provider_cost import CostUnit, ProviderCost

# Native (upstream) finish reasons that mean a safety filter stopped the image; Gemini's
# names, e.g. IMAGE_SAFETY, PROHIBITED_CONTENT. UNCONFIRMED beyond Gemini's own API.
_NATIVE_BLOCKS = ("SAFETY", "PROHIBITED", "BLOCKLIST", "SPII")
_FACTS = ("id", "model", "provider")
_USAGE_FACTS = ("prompt_tokens", "completion_tokens", "total_tokens")
_MAX_TEXT = 300


def outcome_of(answer: Any, max_image_bytes: int = MAX_IMAGE_BYTES) -> Finished:
    """The Finished a 200 answer stands for; ProviderError for every failure."""
    choice = _first_choice(answer)
    message = object_of(choice.get("message"))
    urls = _image_urls(message.get("images"))
    if not urls:
        raise _without_image(answer, choice, message)
    outputs = tuple(output_of(url, max_image_bytes) for url in urls)
    usage = object_of(answer.get("usage"))
    cost = _cost(usage.get("cost"))
    return Finished(outputs=outputs, provider_cost=cost, metadata=_metadata(answer, choice, usage))


def _first_choice(answer: Any) -> dict[str, Any]:
    choices = answer.get("choices") if isinstance(answer, dict) else None
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        return choices[0]
    if isinstance(answer, dict) and ErrorBody.of(answer.get("error")) is not None:
        return {}  # an error in place of the choices: judged as an answer without image
    raw = shorten(json.dumps(answer, default=str))
    raise ProviderError("provider_error", f"OpenRouter answered 200 without choices: {raw}")


def _image_urls(images: Any) -> list[str]:
    urls = []
    for image in images if isinstance(images, list) else []:
        ref = image.get("image_url") if isinstance(image, dict) else None
        url = ref.get("url") if isinstance(ref, dict) else None
        if isinstance(url, str) and url:
            urls.append(url)
    return urls


def _without_image(
    answer: dict[str, Any], choice: dict[str, Any], message: dict[str, Any]
) -> ProviderError:
    error = ErrorBody.of(choice.get("error")) or ErrorBody.of(answer.get("error"))
    finish, native = choice.get("finish_reason"), choice.get("native_finish_reason")
    refusal = message.get("refusal")
    said = _said(finish, native, error, refusal or message.get("content"))
    native_block = isinstance(native, str) and any(b in native.upper() for b in _NATIVE_BLOCKS)
    if finish == "content_filter" or refusal or native_block or (error and error.moderated):
        said = f"moderation blocked the output: {said}"
        return ProviderError("content_moderated", said, moderation=ModerationStage.OUTPUT)
    return ProviderError("no_result", f"OpenRouter answered without an image: {said}")


def _said(finish: Any, native: Any, error: ErrorBody | None, text: Any) -> str:
    parts = [f"finish_reason {finish!r}"]
    if native is not None and native != finish:
        parts.append(f"native {native!r}")
    if error is not None:
        parts.append(f"error {error.describe()!r}")
    if isinstance(text, str) and text.strip():
        parts.append(f"said {shorten(text, _MAX_TEXT)!r}")
    return shorten("; ".join(parts))


def _metadata(
    answer: dict[str, Any], choice: dict[str, Any], usage: dict[str, Any]
) -> dict[str, Any]:
    facts: dict[str, Any] = {
        ("generation_id" if name == "id" else name): answer[name]
        for name in _FACTS
        if isinstance(answer.get(name), str)
    }
    facts.update({name: usage[name] for name in _USAGE_FACTS if _is_count(usage.get(name))})
    details = usage.get("completion_tokens_details")
    if isinstance(details, dict) and _is_count(details.get("image_tokens")):
        facts["image_tokens"] = details["image_tokens"]
    if isinstance(choice.get("finish_reason"), str):
        facts["finish_reason"] = choice["finish_reason"]
    return facts


def _cost(value: Any) -> ProviderCost | None:
    """`usage.cost`, OpenRouter credits, which are US dollars."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return ProviderCost(value, CostUnit.USD) if math.isfinite(value) and value >= 0 else None


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
