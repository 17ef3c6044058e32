"""A generic payment webhook signed with HMAC-SHA256 over the timestamp and the raw body.

Header: `X-Genmedia-Signature: t=<unix seconds>,v1=<hex hmac_sha256(secret, f"{t}.{body}")>`
(several v1 entries are accepted, for secret rotation). Body: JSON
`{event: "payment.succeeded" | "payment.refunded", charge_id, reference | payment_id, amount,
currency}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from genmedia.adapters.payments import timestamped_hmac
from genmedia.adapters.payments.reading import amount, header, json_object, payment_id, text
from genmedia.application.ports import Clock, PaymentVerifier
from genmedia.domain.errors import InvalidValue
from genmedia.domain.purchases import PaymentEvent, PaymentNotification, PaymentProvider

SIGNATURE_HEADER = "X-Genmedia-Signature"
EVENTS = {"payment.succeeded": PaymentEvent.PAID, "payment.refunded": PaymentEvent.REFUNDED}
DEFAULT_TOLERANCE = timedelta(minutes=5)
sign = timestamped_hmac.sign


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
        signature = header(headers, SIGNATURE_HEADER)
        timestamped_hmac.check(signature, self._secret, body, self._clock.now(), self._tolerance)
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
            reference=_reference(data.get("reference")),
        )


def _reference(value: object) -> str:
    return value if isinstance(value, str) else ""
