"""OpenRouter's HTTP error answers and transport failures, turned into ProviderErrors.

OpenRouter answers a request it refuses before the model starts with the status in
`error.code` (providers.md §4.4): 400 bad request, 401 bad key, 402 no credits, 403 forbidden,
guardrail or moderation flag, 408 timeout, 429 rate limited, 502 model down or invalid answer,
503 no provider available; 429 and 503 may carry `Retry-After`. Any other 5xx, or a 502 that
is not OpenRouter's own JSON (a gateway in front of it), may have cut off a generation that
ran and was billed: it is `submit_outcome_unknown` and not resent. Messages name the status
and OpenRouter's message, cut short and with the key masked; they never carry the request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import attrs
import httpx

from genmedia.adapters.providers.openrouter.secret import ApiKey
from genmedia.adapters.providers.retry_after import retry_after_seconds
from genmedia.application.errors import ProviderError
from genmedia.domain.moderation import ModerationStage

MAX_DETAIL = 400
# `error.metadata.error_type` values that say the content was refused (providers.md §4.4).
MODERATION_TYPES = frozenset({"content_policy_violation", "refusal"})
_RETRYABLE = frozenset({408, 503})


@attrs.frozen(kw_only=True)
class ErrorBody:
    """OpenRouter's `{"error": {"code", "message", "metadata"}}`, as far as it was given."""

    message: str = ""
    error_type: str | None = None
    metadata: Mapping[str, Any] = attrs.field(factory=dict)

    @classmethod
    def of(cls, value: Any) -> ErrorBody | None:
        """The error object `value` holds, or None if it is not one."""
        if not isinstance(value, dict):
            return None
        metadata = object_of(value.get("metadata"))
        error_type = metadata.get("error_type")
        message = value.get("message")
        return cls(
            message=message if isinstance(message, str) else "",
            error_type=error_type if isinstance(error_type, str) else None,
            metadata=metadata,
        )

    @property
    def moderated(self) -> bool:
        """Whether it says a filter, a guardrail or the model refused the content."""
        flagged = "reasons" in self.metadata or "flagged_input" in self.metadata
        guardrail = "patterns" in self.metadata or self.message.startswith("Request blocked")
        return flagged or guardrail or self.error_type in MODERATION_TYPES

    def describe(self) -> str:
        """The message, the error type and any moderation reasons, as one line."""
        parts = [self.message] if self.message else []
        if self.error_type:
            parts.append(f"({self.error_type})")
        reasons = self.metadata.get("reasons")
        if isinstance(reasons, list) and reasons:
            parts.append("reasons: " + ", ".join(str(reason) for reason in reasons))
        return " ".join(parts)


def error_for_status(
    status: int, headers: httpx.Headers, content: bytes, key: ApiKey
) -> ProviderError:
    """The ProviderError for a 4xx or 5xx answer to a completion request."""
    body = ErrorBody.of(_json(content).get("error"))
    detail = shorten(key.scrub(body.describe() if body else content.decode("utf-8", "replace")))
    said = f"OpenRouter answered {status}" + (f": {detail}" if detail else "")
    retry_after = retry_after_seconds(headers.get("retry-after"), datetime.now(UTC))
    if status == 429:
        return ProviderError("rate_limited", said, retryable=True, retry_after=retry_after)
    if status in _RETRYABLE or (status == 502 and body is not None):
        return ProviderError("provider_unavailable", said, retryable=True, retry_after=retry_after)
    if status >= 500:
        return ProviderError(
            "submit_outcome_unknown",
            f"{said}; the image may have been generated and billed, so it is not asked again",
        )
    if status in (400, 403) and body is not None and body.moderated:
        said = f"moderation blocked the input: {said}"
        return ProviderError("content_moderated", said, moderation=ModerationStage.INPUT)
    return ProviderError(_CODES.get(status, "provider_error"), said)


_CODES = {
    400: "invalid_input",
    401: "provider_auth",
    402: "insufficient_provider_credit",
    403: "provider_auth",
    413: "invalid_input",
    422: "invalid_input",
}


def error_for_transport(err: httpx.HTTPError, key: ApiKey) -> ProviderError:
    """The ProviderError for a completion request that got no whole HTTP answer.

    A failure after the request may have reached OpenRouter (read timeout, broken read, the
    server hanging up) leaves unknown whether the image was generated and billed; OpenRouter
    has no id to ask again with and no idempotency key, so it is `submit_outcome_unknown`
    and not retryable. Failures before the request was sent (connect, pool, write) are
    `provider_unavailable` and retryable.
    """
    kind = type(err).__name__
    said = shorten(key.scrub(f"{kind}: {err}" if str(err) else kind))
    if isinstance(err, httpx.UnsupportedProtocol):
        return ProviderError("provider_error", f"unusable OpenRouter URL ({said})")
    if isinstance(err, httpx.ReadTimeout | httpx.ReadError | httpx.RemoteProtocolError):
        return ProviderError(
            "submit_outcome_unknown",
            f"OpenRouter may have generated and billed the image, but its answer was lost "
            f"({said}); not asking again",
        )
    if isinstance(err, httpx.TimeoutException):
        return ProviderError(
            "provider_unavailable", f"OpenRouter timed out ({said})", retryable=True
        )
    return ProviderError(
        "provider_unavailable", f"could not reach OpenRouter ({said})", retryable=True
    )


def object_of(value: Any) -> dict[str, Any]:
    """The value if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def shorten(text: str, limit: int = MAX_DETAIL) -> str:
    """The text on one line, cut to `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json(content: bytes) -> dict[str, Any]:
    try:
        return object_of(json.loads(content))
    except ValueError:
        return {}
