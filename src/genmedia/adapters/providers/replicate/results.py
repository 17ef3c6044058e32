"""What a prediction answer means: keep waiting, finished with outputs, or failed.

Statuses (providers.md §3.2): `starting` and `processing` wait; `succeeded` finishes with
`output`, a URL or a list of URLs (`data:` URLs are decoded here, others are downloaded by
the caller); `failed` carries the model's `error`; `canceled` (a cancel, or `Cancel-After`
while running) and `aborted` (`Cancel-After` before it started) are stopped. Any other
status is a failure that quotes the raw answer, so an unknown state never polls forever.
`metrics.predict_time` (seconds of compute) is the cost signal: the provider cost, in
Replicate predict seconds (Replicate names no price).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable
from typing import Any

from genmedia.adapters.providers.replicate.errors import shorten
from genmedia.adapters.providers.replicate.moderation import moderation_of, stage_of
from genmedia.application.errors import ProviderError
from genmedia.application.ports import Finished, Outcome, ProviderOutput, Waiting
from genmedia.domain.provider_cost import CostUnit, ProviderCost

_WAITING = frozenset({"starting", "processing"})
_STOPPED = {
    "canceled": "Replicate canceled the prediction (a cancel request or its Cancel-After deadline)",
    "aborted": "Replicate aborted the prediction before it started (its Cancel-After deadline)",
}
_URL_SCHEMES = ("https://", "http://")
_RAW_LIMIT = 300


def outcome_of(
    answer: Any, waiting: Waiting, finish: Callable[[dict[str, Any]], Finished] | None = None
) -> Outcome:
    """The Outcome a prediction (or training) answer stands for (`waiting` while it runs,
    `finish` of it once it succeeded: a prediction's outputs by default); ProviderError for
    every failure."""
    if not isinstance(answer, dict) or not isinstance(answer.get("status"), str):
        raise ProviderError(
            "provider_unavailable", "Replicate answered the poll without a status", retryable=True
        )
    status = answer["status"]
    if status in _WAITING:
        return waiting
    if status == "succeeded":
        return (finish or finished)(answer)
    if status == "failed":
        raise failure(answer.get("error"))
    if status in _STOPPED:
        raise ProviderError("provider_cancelled", _STOPPED[status])
    raise ProviderError("provider_error", f"Replicate answered an unknown status: {raw(answer)}")


def failure(error: Any) -> ProviderError:
    """The error of a failed prediction: content_moderated if its error reads like a
    safety block (a heuristic: Replicate has no moderation status), else provider_error."""
    text = shorten(error if isinstance(error, str) else json.dumps(error), _RAW_LIMIT)
    moderated = moderation_of(text)
    if moderated is not None:
        stage = stage_of(text)
        return ProviderError("content_moderated", f"{moderated}: {text}", moderation=stage)
    return ProviderError("provider_error", f"the model failed: {text}")


def finished(answer: dict[str, Any]) -> Finished:
    """The outputs, cost and facts of a succeeded prediction."""
    metrics = answer.get("metrics")
    metrics = metrics if isinstance(metrics, dict) else {}
    predict_time = _seconds(metrics.get("predict_time"))
    facts: dict[str, Any] = {
        "prediction_id": answer.get("id"),
        "model": answer.get("model"),
        "version": answer.get("version"),
        "predict_time": predict_time,
        "total_time": _seconds(metrics.get("total_time")),
    }
    metadata = {name: value for name, value in facts.items() if _is_plain(value)}
    return Finished(outputs=outputs_of(answer), provider_cost=cost_of(answer), metadata=metadata)


def cost_of(answer: dict[str, Any]) -> ProviderCost | None:
    """What a finished prediction or training cost: its `metrics.predict_time`, if said."""
    metrics = answer.get("metrics")
    seconds = _seconds(metrics.get("predict_time")) if isinstance(metrics, dict) else None
    return None if seconds is None else ProviderCost(seconds, CostUnit.REPLICATE_PREDICT_SECONDS)


def outputs_of(answer: dict[str, Any]) -> tuple[ProviderOutput, ...]:
    """The prediction's outputs; result_expired once Replicate removed them."""
    output = answer.get("output")
    if output is None and answer.get("data_removed") is True:
        raise ProviderError("result_expired", "Replicate removed the prediction's output (1 h)")
    items = [output] if isinstance(output, str) else output
    if output is None or items == []:
        raise ProviderError("no_result", "Replicate said succeeded but gave no output")
    if not isinstance(items, list):
        raise ProviderError("provider_error", f"the output is not a URL or a list: {raw(output)}")
    return tuple(_output(item) for item in items)


def _output(item: Any) -> ProviderOutput:
    if isinstance(item, str) and item.startswith("data:"):
        return ProviderOutput(data=_decoded(item))
    if isinstance(item, str) and item.lower().startswith(_URL_SCHEMES):
        return ProviderOutput(url=item)
    raise ProviderError("provider_error", f"an output is not a file URL: {raw(item)}")


def _decoded(url: str) -> bytes:
    header, _, data = url.partition(",")
    try:
        if header.endswith(";base64"):
            return base64.b64decode(data, validate=True)
    except binascii.Error:
        pass
    raise ProviderError("provider_error", "an output is a data URL that is not base64")


def raw(value: Any) -> str:
    """The value as compact JSON, cut short, for an error message."""
    return shorten(json.dumps(value, default=str), _RAW_LIMIT)


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


def _is_plain(value: Any) -> bool:
    return value is not None and isinstance(value, str | int | float | bool)
