"""A generic payment webhook signed with HMAC-SHA256 over the timestamp and the raw body.

Header: `X-Genmedia-Signature: t=<unix seconds>,v1=<hex hmac_sha256(secret, f"{t}.{body}")>`
(several v1 entries are accepted, for secret rotation). Body: JSON
`{event: "payment.succeeded" | "payment.refunded", charge_id, payment_id, amount, currency}`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import timedelta

from genmedia.adapters.payments.reading import (
    amount,
    digits,
    header,
    json_object,
    payment_id,
    text,
)
from genmedia.application.ports import Clock, PaymentVerifier
from genmedia.domain.errors import InvalidSignature, InvalidValue
from genmedia.domain.purchases import PaymentEvent, PaymentNotification, PaymentProvider

SIGNATURE_HEADER = "X-Genmedia-Signature"
EVENTS = {"payment.succeeded": PaymentEvent.PAID, "payment.refunded": PaymentEvent.REFUNDED}
DEFAULT_TOLERANCE = timedelta(minutes=5)


def _digest(secret: bytes, timestamp: str, body: bytes) -> str:
    return hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header value a sender puts on `body` at `timestamp` (unix seconds)."""
    return f"t={timestamp},v1={_digest(secret.encode(), str(timestamp), body)}"


def _parse(value: str) -> tuple[str, list[str]]:
    parts = [p.partition("=") for p in value.split(",")]
    stamps = [v.strip() for k, _, v in parts if k.strip() == "t"]
    signatures = [v.strip() for k, _, v in parts if k.strip() == "v1"]
    if len(stamps) != 1 or not digits(stamps[0], 12) or not signatures:
        raise InvalidSignature("the payment signature header is missing or malformed")
    return stamps[0], signatures


class SignedWebhookVerifier(PaymentVerifier):
    """Checks the HMAC signature and the timestamp's freshness, then reads the payment."""

    provider = PaymentProvider.WEBHOOK

    def __init__(
        self, secret: str, *, clock: Clock, tolerance: timedelta = DEFAULT_TOLERANCE
    ) -> None:
        if not secret:
            raise ValueError("a webhook signing secret is required")
        self._secret = secret.encode()
        self._clock = clock
        self._tolerance = tolerance

    def __repr__(self) -> str:
        return f"SignedWebhookVerifier(secret='***', tolerance={self._tolerance!r})"

    def verify(self, headers: Mapping[str, str], body: bytes) -> PaymentNotification:
        """The payment in `body`; InvalidSignature if the signature is bad or stale."""
        timestamp, signatures = _parse(header(headers, SIGNATURE_HEADER))
        expected = _digest(self._secret, timestamp, body)
        if not any(hmac.compare_digest(expected.encode(), s.encode()) for s in signatures):
            raise InvalidSignature("the payment signature does not match")
        age = self._clock.now().timestamp() - int(timestamp)
        if abs(age) > self._tolerance.total_seconds():
            raise InvalidSignature("the payment signature is too old or from the future")
        data = json_object(body)
        raw_event = data.get("event")
        event = EVENTS.get(raw_event) if isinstance(raw_event, str) else None
        if event is None:
            raise InvalidValue("event", f"must be one of {', '.join(EVENTS)}")
        return PaymentNotification(
            provider=self.provider,
            event=event,
            charge_id=text(data, "charge_id"),
            amount=amount(data, "amount"),
            currency=text(data, "currency"),
            payment_id=payment_id(data.get("payment_id")),
            payload=str(data.get("payment_id") or ""),
        )
