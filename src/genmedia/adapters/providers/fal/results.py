"""What fal's status and result answers mean: keep waiting, finished with images, or failed.

Status (`GET status_url`): IN_QUEUE and IN_PROGRESS wait; COMPLETED is done, but not
necessarily well: it may carry `error` and `error_type`, and then the result answer holds
fal's detail. Any other status is a failure that keeps the raw answer in its message, so
an unknown state never polls forever.

Result (`GET response_url`): `images: [{url, …}]` (or one `image`), `seed`, `timings` and
`has_nsfw_concepts: [bool, …]`, one flag per image. A flagged image is output moderation
(fal's safety checker typically returns it black), so any flag fails the job as
`content_moderated`. fal's cost signal is the `x-fal-billable-units` header of the result:
the provider cost, in fal billable units (what a unit of the endpoint costs is not said).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from typing import Any
from urllib.parse import unquote_to_bytes

import httpx

from genmedia.adapters.providers.fal.errors import error_of_completed, shorten
from genmedia.adapters.providers.fal.secret import FalKey
from genmedia.adapters.providers.fal.transport import Answer
from genmedia.application.errors import ProviderError
from genmedia.application.ports import Finished, ProviderOutput
from genmedia.domain.moderation import ModerationStage
from genmedia.domain.provider_cost import CostUnit, ProviderCost

WAITING = frozenset({"IN_QUEUE", "IN_PROGRESS"})
COMPLETED = "COMPLETED"
OUTPUT_MODERATED = "fal's safety checker flagged the generated image (has_nsfw_concepts)"
_MAX_RAW = 300


def is_done(answer: Any, key: FalKey) -> bool:
    """Whether a status answer says COMPLETED (False: still queued or running)."""
    status = answer.get("status") if isinstance(answer, dict) else None
    if not isinstance(status, str):
        raise ProviderError(
            "provider_unavailable", "fal answered the status without a status", retryable=True
        )
    if status in WAITING:
        return False
    if status == COMPLETED:
        return True
    raw = shorten(key.scrub(json.dumps(answer, default=str)), _MAX_RAW)
    raise ProviderError("provider_error", f"fal answered an unknown status: {raw}")


def failed(status: dict[str, Any]) -> bool:
    """Whether a COMPLETED status names an `error`."""
    return bool(status.get("error"))


def failure_of(status: dict[str, Any], result: Answer, key: FalKey) -> ProviderError:
    """The failure of a request COMPLETED with an error, given its result answer."""
    return error_of_completed(status, result.body, result.headers, key)


def finished(request_id: str, status: dict[str, Any], result: Answer) -> Finished:
    """The images of a completed request's result; no_result or content_moderated if it
    has none, or has one fal's safety checker flagged."""
    body = result.body if isinstance(result.body, dict) else {}
    images = _images(body)
    if not images:
        raise ProviderError("no_result", "fal completed the request but returned no image")
    flags = body.get("has_nsfw_concepts")
    if isinstance(flags, list) and any(flag is True for flag in flags):
        flagged = sum(flag is True for flag in flags)
        said = f"{OUTPUT_MODERATED}: {flagged} of {len(images)}"
        raise ProviderError("content_moderated", said, moderation=ModerationStage.OUTPUT)
    outputs = tuple(_output(image["url"]) for image in images)
    facts = _facts(request_id, status, body, result.headers)
    return Finished(outputs=outputs, provider_cost=cost_of(result.headers), metadata=facts)


def _images(body: dict[str, Any]) -> list[dict[str, Any]]:
    found = body.get("images")
    items = found if isinstance(found, list) else [body.get("image")]
    return [i for i in items if isinstance(i, dict) and isinstance(i.get("url"), str) and i["url"]]


def _output(url: str) -> ProviderOutput:
    """A result URL to download, or the bytes of a data URI (fal's `sync_mode`)."""
    if not url.startswith("data:"):
        return ProviderOutput(url=url)
    header, _, payload = url.partition(",")
    try:
        if header.endswith(";base64"):
            return ProviderOutput(data=base64.b64decode(payload, validate=True))
        return ProviderOutput(data=unquote_to_bytes(payload))
    except (binascii.Error, ValueError):
        raise ProviderError("provider_error", "fal returned an unreadable data URI") from None


def cost_of(headers: httpx.Headers) -> ProviderCost | None:
    """What the request cost, from the result's `x-fal-billable-units`, if it says."""
    units = _number(headers.get("x-fal-billable-units"))
    return None if units is None else ProviderCost(units, CostUnit.FAL_BILLABLE_UNITS)


def _facts(
    request_id: str, status: dict[str, Any], body: dict[str, Any], headers: httpx.Headers
) -> dict[str, Any]:
    facts: dict[str, Any] = {"request_id": request_id}
    if isinstance(body.get("seed"), int):
        facts["seed"] = body["seed"]
    metrics = status.get("metrics")
    inference = _number(metrics.get("inference_time")) if isinstance(metrics, dict) else None
    if inference is not None:
        facts["inference_time"] = inference
    return facts


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number >= 0 else None
