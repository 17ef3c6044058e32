"""Replicate's HTTP error answers and transport failures, turned into ProviderErrors.

Replicate answers errors as RFC 7807 problem details (`{"title", "detail", "status"}`):
401 a bad token, 402 no credit left, 404 an unknown model or prediction, 422 invalid input,
429 throttled (with `Retry-After`, or a hint like "resets in ~30s" in the detail), 5xx
server trouble. Replicate has no idempotency key and its own clients never resend a create
after a 5xx or a timeout, so a create answered that way is `submit_outcome_unknown`.
Messages name the status and Replicate's detail, cut short and with the token masked; they
never carry a request or its headers.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from genmedia.adapters.providers.replicate.secret import ApiKey
from genmedia.adapters.providers.retry_after import retry_after_seconds
from genmedia.application.errors import ProviderError

Stage = Literal["submit", "poll", "cancel", "schema", "model"]

MAX_DETAIL = 400
_THROTTLE_HINT = re.compile(r"resets in ~?\s*(\d+(?:\.\d+)?)\s*s", re.IGNORECASE)
_UNKNOWN_SUBMIT = "Replicate may or may not have created the prediction"


def error_for_response(response: httpx.Response, stage: Stage, key: ApiKey) -> ProviderError:
    """The ProviderError for a 4xx or 5xx answer at this stage."""
    status = response.status_code
    detail = detail_of(response, key)
    said = f"Replicate answered {status}" + (f": {detail}" if detail else "")
    if status == 429:
        return ProviderError("rate_limited", said, retryable=True, retry_after=_wait(response))
    if stage == "submit" and status >= 500:
        message = f"{said}; {_UNKNOWN_SUBMIT}, so it is not created again"
        return ProviderError("submit_outcome_unknown", message)
    if status >= 500 or status == 408:
        wait = retry_after_seconds(response.headers.get("retry-after"), datetime.now(UTC))
        return ProviderError("provider_unavailable", said, retryable=True, retry_after=wait)
    return _client_error(status, stage, said)


def _client_error(status: int, stage: Stage, said: str) -> ProviderError:
    if status == 402:
        return ProviderError("insufficient_provider_credit", said)
    if status in (401, 403):
        return ProviderError("provider_auth", said)
    if status in (400, 422):
        return ProviderError("invalid_input", said)
    if status == 404 and stage in ("poll", "cancel"):
        return ProviderError("provider_task_not_found", said)
    if status == 404:
        return ProviderError("provider_error", f"{said} (no such model or version)")
    return ProviderError("provider_error", said)


def _wait(response: httpx.Response) -> float | None:
    """A 429's wait: its Retry-After header, else the "resets in ~Ns" hint of its detail."""
    header = retry_after_seconds(response.headers.get("retry-after"), datetime.now(UTC))
    if header is not None:
        return header
    hint = _THROTTLE_HINT.search(_explanation(response))
    return float(hint.group(1)) if hint else None


def error_for_transport(err: httpx.HTTPError, stage: Stage, key: ApiKey) -> ProviderError:
    """The ProviderError for a request that got no HTTP answer.

    On submit, a failure after the request may have reached Replicate (read timeout,
    broken read, the server hanging up without an answer) leaves the prediction's existence
    unknown, so it is `submit_outcome_unknown` and not retryable. Failures before anything
    was sent (connect, pool, write) are `provider_unavailable` and retryable, as are all
    failures of polls and cancels.
    """
    kind = type(err).__name__
    said = key.scrub(f"{kind}: {err}" if str(err) else kind)[:MAX_DETAIL]
    if isinstance(err, httpx.UnsupportedProtocol):
        return ProviderError("provider_error", f"unusable Replicate URL ({said})")
    if stage == "submit" and isinstance(
        err, httpx.ReadTimeout | httpx.ReadError | httpx.RemoteProtocolError
    ):
        return ProviderError("submit_outcome_unknown", f"{_UNKNOWN_SUBMIT} ({said})")
    if isinstance(err, httpx.TimeoutException):
        said = f"Replicate timed out ({said})"
    else:
        said = f"could not reach Replicate ({said})"
    return ProviderError("provider_unavailable", said, retryable=True)


def detail_of(response: httpx.Response, key: ApiKey) -> str:
    """Replicate's explanation ("title: detail"), the token masked before it is cut short."""
    return shorten(key.scrub(_explanation(response)))


def _explanation(response: httpx.Response) -> str:
    try:
        body: Any = response.json()
    except ValueError:
        return response.text
    if not isinstance(body, dict):
        return str(body)
    parts = [str(body[name]) for name in ("title", "detail") if body.get(name)]
    return ": ".join(parts) or str(body.get("error") or body.get("message") or body)


def shorten(text: str, limit: int = MAX_DETAIL) -> str:
    """The text on one line, cut to `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
