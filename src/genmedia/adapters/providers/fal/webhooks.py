"""fal's signed webhook deliveries, verified against the raw body (providers.md §2.8).

fal signs `request_id \\n user_id \\n timestamp \\n sha256_hex(raw body)` (UTF-8) with
Ed25519 and sends the parts in `X-Fal-Webhook-Request-Id`, `X-Fal-Webhook-User-Id`,
`X-Fal-Webhook-Timestamp` (unix seconds) and `X-Fal-Webhook-Signature` (hex). A delivery
is fal's if any of fal's current public keys (its JWKS, which rotates) verifies the
signature, and fresh if its timestamp is within five minutes of now, either way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

TOLERANCE_SECONDS = 300.0
REQUEST_ID = "x-fal-webhook-request-id"
USER_ID = "x-fal-webhook-user-id"
TIMESTAMP = "x-fal-webhook-timestamp"
SIGNATURE = "x-fal-webhook-signature"
_SIGNATURE_BYTES = 64


class WebhookRejected(Exception):
    """A delivery that is not fal's, or not fresh; `reason` names why, without secrets."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason


def verify_webhook(
    body: bytes,
    headers: Mapping[str, str],
    keys: Iterable[Ed25519PublicKey],
    *,
    now: float,
    tolerance: float = TOLERANCE_SECONDS,
) -> str:
    """The fal request id a delivery is about, once one of `keys` verifies its signature
    over the raw `body` and its timestamp is within `tolerance` seconds of `now` (unix
    seconds); WebhookRejected otherwise."""
    named = {name.lower(): value.strip() for name, value in headers.items()}
    request_id, user_id, timestamp, signature = (
        named.get(name, "") for name in (REQUEST_ID, USER_ID, TIMESTAMP, SIGNATURE)
    )
    if not (request_id and user_id and timestamp and signature):
        raise WebhookRejected("missing_headers", "fal's four X-Fal-Webhook-* headers are needed")
    _check_fresh(timestamp, now, tolerance)
    message = "\n".join((request_id, user_id, timestamp, hashlib.sha256(body).hexdigest()))
    sealed = _signature(signature)
    for key in keys:
        try:
            key.verify(sealed, message.encode())
        except InvalidSignature:
            continue
        return request_id
    raise WebhookRejected("no_key_matches", "no fal key verifies the signature")


def _check_fresh(timestamp: str, now: float, tolerance: float) -> None:
    try:
        sent = int(timestamp)
    except ValueError:
        raise WebhookRejected("bad_timestamp", "the timestamp is not unix seconds") from None
    if abs(now - sent) > tolerance:
        raise WebhookRejected("stale", f"signed {now - sent:.0f} s from now, over {tolerance:.0f}")


def _signature(text: str) -> bytes:
    try:
        sealed = bytes.fromhex(text)
    except ValueError:
        raise WebhookRejected("bad_signature", "the signature is not hex") from None
    if len(sealed) != _SIGNATURE_BYTES:
        raise WebhookRejected("bad_signature", "the signature is not 64 bytes")
    return sealed
