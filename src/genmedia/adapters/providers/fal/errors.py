"""fal's HTTP error answers, transport failures and failed requests, as ProviderErrors.

Model errors come as 4xx/5xx with `{"detail": [{"loc", "msg", "type", …}]}` (or a plain
string) and an `X-Fal-Retryable` header; request errors as `{"detail", "error_type"}` with
`X-Fal-Error-Type` (providers.md §2.7). A detail `type` of `content_policy_violation` is
moderation of the input; `no_media_generated` is an answer without a result. Messages
name the status and fal's detail, cut short and with the key masked; they never carry a
request or its headers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from genmedia.adapters.providers.fal.secret import FalKey
from genmedia.adapters.providers.retry_after import retry_after_seconds
from genmedia.application.errors import ProviderError
from genmedia.domain.moderation import ModerationStage

Stage = Literal["submit", "status", "result", "cancel"]

MAX_DETAIL = 400
INPUT_MODERATED = "fal's content policy refused the input (the prompt or an input image)"
_MODERATION = frozenset({"content_policy_violation"})
_NO_RESULT = frozenset({"no_media_generated"})
# Errors of fal's platform rather than of the model: the request never ran (not billed).
_PLATFORM_PREFIXES = ("request_timeout", "startup_timeout", "runner_", "downstream_service")
# A 502-504 without `x-fal-request-id` is fal's ingress failing before the queue took the
# request (fal's own clients resend those); any other 5xx on submit may have queued it.
_INGRESS = frozenset({502, 503, 504})


def error_for_response(response: httpx.Response, stage: Stage, key: FalKey) -> ProviderError:
    """The ProviderError for a 4xx or 5xx answer at this stage."""
    status, headers = response.status_code, response.headers
    body = _json(response)
    detail = shorten(key.scrub(_describe(body) if body is not None else response.text))
    said = f"fal answered {status}" + (f": {detail}" if detail else "")
    retry_after = retry_after_seconds(headers.get("retry-after"), datetime.now(UTC))
    kinds = _types(body) | {headers.get("x-fal-error-type", "")}
    if status == 429:
        return ProviderError("rate_limited", said, retryable=True, retry_after=retry_after)
    if kinds & _MODERATION:
        return ProviderError(
            "content_moderated", f"{INPUT_MODERATED} ({said})", moderation=ModerationStage.INPUT
        )
    if kinds & _NO_RESULT:
        return ProviderError("no_result", f"fal generated no media ({said})")
    if stage == "submit" and status >= 500:
        return _submit_failure(response, said, retry_after)
    if status >= 500 or status in (408, 409):
        return _server_failure(response, said, retry_after)
    return _client_failure(status, stage, said, detail)


def error_of_completed(
    status: dict[str, Any], result: Any, result_headers: httpx.Headers, key: FalKey
) -> ProviderError:
    """The ProviderError of a request COMPLETED with an `error`: from the detail of its
    result answer (fal's error body) if it has one, else from the status's `error`. The
    request is over, so none of these is retryable."""
    kind = status.get("error_type") if isinstance(status.get("error_type"), str) else ""
    kinds = _types(result) | {kind, result_headers.get("x-fal-error-type", "")}
    text = _describe(result) or f"{_describe(status.get('error'))} ({kind or 'no error_type'})"
    said = shorten(key.scrub(text))
    if kinds & _MODERATION:
        return ProviderError(
            "content_moderated", f"{INPUT_MODERATED} ({said})", moderation=ModerationStage.INPUT
        )
    if kinds & _NO_RESULT:
        return ProviderError("no_result", f"fal generated no media ({said})")
    if any(k.startswith(_PLATFORM_PREFIXES) for k in kinds if k):
        return ProviderError("provider_unavailable", f"fal could not run the request: {said}")
    return ProviderError("provider_error", f"fal completed the request with an error: {said}")


def error_for_transport(err: httpx.HTTPError, stage: Stage, key: FalKey) -> ProviderError:
    """The ProviderError for a request that got no HTTP answer.

    A submit that may have reached fal (read timeout, broken read, the server hanging up)
    leaves the request's existence unknown, and fal has no idempotency key: it is
    `submit_outcome_unknown`, not retryable. Failures before anything was sent (connect,
    pool, write) and every failure of the other stages are retryable.
    """
    kind = type(err).__name__
    said = shorten(key.scrub(f"{kind}: {err}" if str(err) else kind))
    if isinstance(err, httpx.UnsupportedProtocol):
        return ProviderError("provider_error", f"unusable fal URL ({said})")
    if stage == "submit" and isinstance(
        err, httpx.ReadTimeout | httpx.ReadError | httpx.RemoteProtocolError
    ):
        return ProviderError(
            "submit_outcome_unknown",
            f"fal may or may not have queued the request ({said}); not resubmitting blindly",
        )
    if isinstance(err, httpx.TimeoutException):
        return ProviderError("provider_unavailable", f"fal timed out ({said})", retryable=True)
    return ProviderError("provider_unavailable", f"could not reach fal ({said})", retryable=True)


def _submit_failure(
    response: httpx.Response, said: str, retry_after: float | None
) -> ProviderError:
    headers = response.headers
    if (
        response.status_code in _INGRESS
        and "x-fal-request-id" not in headers
        and headers.get("x-fal-request-timeout-type") != "user"
    ):
        return ProviderError("provider_unavailable", said, retryable=True, retry_after=retry_after)
    return ProviderError(
        "submit_outcome_unknown",
        f"{said}; fal may or may not have queued the request, so it is not resubmitted",
    )


def _server_failure(
    response: httpx.Response, said: str, retry_after: float | None
) -> ProviderError:
    headers = response.headers
    if headers.get("x-fal-request-timeout-type") == "user":
        return ProviderError("provider_unavailable", f"fal's start deadline passed ({said})")
    retryable = headers.get("x-fal-retryable", "").lower() != "false"
    return ProviderError("provider_unavailable", said, retryable=retryable, retry_after=retry_after)


def _client_failure(status: int, stage: Stage, said: str, detail: str) -> ProviderError:
    if status == 402 or (status == 403 and _locked(detail)):
        return ProviderError("insufficient_provider_credit", said)
    if status in (401, 403):
        return ProviderError("provider_auth", said)
    if status == 404 and stage != "submit":
        return ProviderError("provider_task_not_found", said)
    if status in (400, 422):
        return ProviderError("invalid_input", said)
    return ProviderError("provider_error", said)


def _locked(detail: str) -> bool:
    """Whether a 403 says the account's balance is too low (UNCONFIRMED wording, §2.7)."""
    text = detail.lower()
    return any(word in text for word in ("balance", "credit", "locked"))


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _types(body: Any) -> set[str]:
    """The `type` of each detail item and the body's `error_type`."""
    found: set[str] = set()
    if isinstance(body, dict):
        if isinstance(body.get("error_type"), str):
            found.add(body["error_type"])
        items = body.get("detail")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("type"), str):
                found.add(item["type"])
    return found


def _describe(value: Any) -> str:
    """fal's explanation: `detail` as "body.prompt: msg; …", else `error`/`message`, else text."""
    if isinstance(value, dict):
        named = [value[field] for field in ("detail", "error", "message") if value.get(field)]
        return _describe(named[0]) if named else ""
    if isinstance(value, list):
        return "; ".join(_describe_item(item) for item in value)
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _describe_item(item: Any) -> str:
    if isinstance(item, dict) and "msg" in item:
        loc = item.get("loc")
        where = ".".join(str(part) for part in loc) if isinstance(loc, list) else ""
        return f"{where}: {item['msg']}" if where else str(item["msg"])
    return str(item)


def shorten(text: str, limit: int = MAX_DETAIL) -> str:
    """The text on one line, cut to `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
