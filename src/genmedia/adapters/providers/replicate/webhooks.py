"""Verifying Replicate's webhook deliveries (Standard Webhooks), without any I/O.

A delivery carries `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature`
(space-separated `v1,<base64>` entries). The signature is HMAC-SHA256, keyed with the
base64 secret after its `whsec_` prefix, over `{id}.{timestamp}.{raw body}`. A delivery is
genuine if any `v1` entry matches, compared in constant time, and its timestamp is within
the tolerance of now (either way). The body is the prediction, as a GET returns it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from genmedia.application.ports import WebhookVerifier
from genmedia.domain.errors import InvalidSignature

TOLERANCE_SECONDS = 300
_PREFIX = "whsec_"
_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


class WebhookRejected(Exception):
    """A delivery that is not a genuine, timely Replicate webhook; the message says why."""


def verify_webhook(
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    *,
    now: datetime | None = None,
    tolerance: float = TOLERANCE_SECONDS,
) -> str:
    """The id of the prediction a genuine delivery is about; WebhookRejected otherwise."""
    named = {name.lower(): value for name, value in headers.items()}
    delivery_id = named.get("webhook-id", "")
    stamp = named.get("webhook-timestamp", "").strip()
    signatures = named.get("webhook-signature", "")
    if not (delivery_id and stamp and signatures):
        raise WebhookRejected("a webhook-id, webhook-timestamp or webhook-signature is missing")
    _check_time(stamp, now or datetime.now(UTC), tolerance)
    expected = signature(signing_key(secret), delivery_id, stamp, body)
    if not any(_matches(entry, expected) for entry in signatures.split()):
        raise WebhookRejected("no v1 signature matches the delivery")
    return _prediction_id(body)


def signing_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_…` secret; ValueError (without the secret) if it is not base64."""
    try:
        return base64.b64decode(secret.strip().removeprefix(_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the Replicate webhook secret is not whsec_ and base64") from None


def signature(key: bytes, delivery_id: str, stamp: str, body: bytes) -> bytes:
    """The base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`, as a `v1` entry carries it."""
    signed = f"{delivery_id}.{stamp}.".encode() + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())


def _check_time(stamp: str, now: datetime, tolerance: float) -> None:
    if not _TIMESTAMP.fullmatch(stamp):
        raise WebhookRejected("the webhook-timestamp is not unix seconds")
    if abs(now.timestamp() - int(stamp)) > tolerance:
        raise WebhookRejected("the webhook-timestamp is outside the tolerance")


def _matches(entry: str, expected: bytes) -> bool:
    version, _, given = entry.partition(",")
    given_bytes = given.encode("utf-8", "replace")
    return version == "v1" and hmac.compare_digest(given_bytes, expected)


def _prediction_id(body: bytes) -> str:
    try:
        prediction = json.loads(body)
    except ValueError:
        raise WebhookRejected("the body is not JSON") from None
    found = prediction.get("id") if isinstance(prediction, dict) else None
    if not isinstance(found, str) or not _ID.fullmatch(found):
        raise WebhookRejected("the body names no prediction id")
    return found


class ReplicateWebhookVerifier(WebhookVerifier):
    """Replicate's deliveries, verified with the account's `whsec_` signing secret."""

    provider = "replicate"

    def __init__(self, secret: str, *, clock: Callable[[], datetime] | None = None) -> None:
        signing_key(secret)  # a secret that is not whsec_ and base64 fails at start-up
        self._secret = secret
        self._clock = clock or (lambda: datetime.now(UTC))

    def __repr__(self) -> str:
        return "ReplicateWebhookVerifier(***)"

    def task_of(self, headers: Mapping[str, str], body: bytes) -> str:
        """The prediction id of a genuine, timely delivery; InvalidSignature otherwise."""
        try:
            return verify_webhook(headers, body, self._secret, now=self._clock())
        except WebhookRejected as rejected:
            raise InvalidSignature(str(rejected)) from None
