"""The `t=<unix seconds>,v1=<hex>` signature header that Stripe uses, over "{t}.{raw body}".

`v1` is HMAC-SHA256 of the timestamp, a dot and the raw body, keyed by the endpoint's secret.
Several `v1` entries may be given (while a secret is rolled); one matching is enough. Other
schemes in the header (Stripe's test-mode `v0`) are ignored.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from genmedia.adapters.payments.reading import digits
from genmedia.domain.errors import InvalidSignature


def digest(secret: bytes, timestamp: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of "{timestamp}.{body}"."""
    return hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header value a sender puts on `body` at `timestamp` (unix seconds)."""
    return f"t={timestamp},v1={digest(secret.encode(), str(timestamp), body)}"


def _parse(value: str) -> tuple[str, list[str]]:
    parts = [p.partition("=") for p in value.split(",")]
    stamps = [v.strip() for k, _, v in parts if k.strip() == "t"]
    signatures = [v.strip() for k, _, v in parts if k.strip() == "v1"]
    if len(stamps) != 1 or not digits(stamps[0], 12) or not signatures:
        raise InvalidSignature("the payment signature header is missing or malformed")
    return stamps[0], signatures


def check(value: str, secret: bytes, body: bytes, now: datetime, tolerance: timedelta) -> None:
    """InvalidSignature unless the header `value` signs `body` with `secret` within
    `tolerance` of `now`. Nothing of the body is read before this passes."""
    timestamp, signatures = _parse(value)
    expected = digest(secret, timestamp, body).encode()
    if not any(hmac.compare_digest(expected, s.encode()) for s in signatures):
        raise InvalidSignature("the payment signature does not match")
    if abs(now.timestamp() - int(timestamp)) > tolerance.total_seconds():
        raise InvalidSignature("the payment signature is too old or from the future")
