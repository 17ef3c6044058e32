"""BFL's HTTP error answers and transport failures, turned into ProviderErrors.

The mapping follows the BFL SDK: 401/403 auth, 402 credits, 422 validation (FastAPI
`{"detail": [{"loc", "msg", …}]}`), 429 too many active tasks, 5xx server trouble, with an
optional `Retry-After` in seconds or as an HTTP-date. Messages name the status and BFL's
detail, cut short and with the API key masked; they never carry a request or its headers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from genmedia.adapters.providers.bfl.secret import ApiKey
from genmedia.adapters.providers.delivery import retry_after_seconds
from genmedia.application.errors import ProviderError

Stage = Literal["submit", "poll"]

_MAX_DETAIL = 400
# A submit answered with one of these may have created (and will bill) a task: the server
# failed or a gateway lost the answer after forwarding it. 503 and 429 say "not taken".
_SUBMIT_AMBIGUOUS = frozenset({500, 502, 504})


def error_for_response(response: httpx.Response, stage: Stage, key: ApiKey) -> ProviderError:
    """The ProviderError for a 4xx or 5xx answer at this stage."""
    status = response.status_code
    detail = detail_of(response, key)
    said = f"BFL answered {status}" + (f": {detail}" if detail else "")
    retry_after = retry_after_seconds(response.headers.get("retry-after"), datetime.now(UTC))
    if status == 429:
        return ProviderError("rate_limited", said, retryable=True, retry_after=retry_after)
    if stage == "submit" and status in _SUBMIT_AMBIGUOUS:
        return ProviderError(
            "submit_outcome_unknown",
            f"{said}; BFL may or may not have accepted the task, so it is not resubmitted",
        )
    if status >= 500 or status == 408:
        return ProviderError("provider_unavailable", said, retryable=True, retry_after=retry_after)
    if status == 402:
        return ProviderError("insufficient_provider_credit", said)
    if status in (401, 403):
        return ProviderError("provider_auth", said)
    if status in (400, 422):
        return ProviderError("invalid_input", said)
    if stage == "poll" and status == 404:
        return ProviderError("provider_task_not_found", said)
    return ProviderError("provider_error", said)


def error_for_transport(err: httpx.HTTPError, stage: Stage, key: ApiKey) -> ProviderError:
    """The ProviderError for a request that got no HTTP answer.

    On submit, a failure after the request may have reached BFL (read timeout, broken
    read, the server hanging up without an answer) leaves the task's existence unknown: it
    may run and be billed, and BFL has no idempotency key, so it is `submit_outcome_unknown`
    and not retryable. Failures before anything was sent (connect, pool, write) are
    `provider_unavailable` and retryable, as are all failures of polls.
    """
    kind = type(err).__name__
    said = key.scrub(f"{kind}: {err}" if str(err) else kind)[:_MAX_DETAIL]
    if isinstance(err, httpx.UnsupportedProtocol):
        return ProviderError("provider_error", f"unusable BFL URL ({said})")
    if stage == "submit" and isinstance(
        err, httpx.ReadTimeout | httpx.ReadError | httpx.RemoteProtocolError
    ):
        return ProviderError(
            "submit_outcome_unknown",
            f"BFL may or may not have accepted the task ({said}); not resubmitting blindly",
        )
    if isinstance(err, httpx.TimeoutException):
        return ProviderError("provider_unavailable", f"BFL timed out ({said})", retryable=True)
    return ProviderError("provider_unavailable", f"could not reach BFL ({said})", retryable=True)


def detail_of(response: httpx.Response, key: ApiKey) -> str:
    """BFL's explanation: `detail`, else `message`, else `error`, else the text.

    The key is masked before the text is cut short, so no piece of it can survive.
    """
    return _shorten(key.scrub(_explanation(response)))


def _explanation(response: httpx.Response) -> str:
    try:
        body: Any = response.json()
    except ValueError:
        return response.text
    if isinstance(body, dict):
        for field in ("detail", "message", "error"):
            if body.get(field):
                return _describe(body[field])
    return _describe(body)


def _describe(value: Any) -> str:
    """A FastAPI validation list as "body.width: msg; …"; anything else as text."""
    if isinstance(value, list):
        return "; ".join(_describe_item(item) for item in value)
    return value if isinstance(value, str) else str(value)


def _describe_item(item: Any) -> str:
    if isinstance(item, dict) and "msg" in item:
        loc = item.get("loc")
        where = ".".join(str(part) for part in loc) if isinstance(loc, list) else ""
        return f"{where}: {item['msg']}" if where else str(item["msg"])
    return str(item)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"
