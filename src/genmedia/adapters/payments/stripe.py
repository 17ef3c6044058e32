"""Stripe: a Checkout Session paid, or its charge refunded, as Stripe's signed events.

The `Stripe-Signature` header is checked over the raw body first (`timestamped_hmac`, with
the endpoint's signing secret `whsec_…`); only then is the event read:

- `checkout.session.completed` with `payment_status: "paid"`, or
  `checkout.session.async_payment_succeeded`: `data.object` is the session, with our payment
  reference in `metadata.reference` (or `client_reference_id`), the charge id in
  `payment_intent`, and `amount_total` in `currency` (lower case, minor unit);
- `charge.refunded` with `refunded: true` (the whole charge): `data.object` is the charge,
  whose `payment_intent` names the payment.

Any other event (a partial refund, an unpaid session, events we do not use) is authentic but
asks nothing of us: it is acknowledged and ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from genmedia.adapters.payments import timestamped_hmac
from genmedia.adapters.payments.reading import amount, header, json_object, text
from genmedia.application.ports import Clock, PaymentVerifier
from genmedia.domain.errors import InvalidValue
from genmedia.domain.purchases import PaymentEvent, PaymentNotification, PaymentProvider

SIGNATURE_HEADER = "Stripe-Signature"
DEFAULT_TOLERANCE = timedelta(seconds=300)
PAID_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
REFUND_EVENT = "charge.refunded"
OBJECT = "data.object"

log = logging.getLogger(__name__)


class StripeVerifier(PaymentVerifier):
    """Checks Stripe's signature and timestamp, then reads a paid session or a refund."""

    provider = PaymentProvider.STRIPE

    def __init__(
        self, secret: str, *, clock: Clock, tolerance: timedelta = DEFAULT_TOLERANCE
    ) -> None:
        if not secret:
            raise ValueError("a Stripe webhook signing secret is required")
        self._secret = secret.encode()
        self._clock = clock
        self._tolerance = tolerance

    def __repr__(self) -> str:
        return f"StripeVerifier(secret='***', tolerance={self._tolerance!r})"

    def verify(self, headers: Mapping[str, str], body: bytes) -> PaymentNotification | None:
        """The payment or refund in the event; None for an event we do not act on."""
        signature = header(headers, SIGNATURE_HEADER)
        timestamped_hmac.check(signature, self._secret, body, self._clock.now(), self._tolerance)
        event = json_object(body)
        kind = event.get("type")
        if kind in PAID_EVENTS:
            return self._paid(_object(event), kind)
        if kind == REFUND_EVENT:
            return self._refunded(_object(event))
        return None

    def _paid(self, session: dict[str, Any], kind: str) -> PaymentNotification | None:
        if kind == PAID_EVENTS[0] and session.get("payment_status") != "paid":
            return None
        return PaymentNotification(
            provider=self.provider,
            event=PaymentEvent.PAID,
            charge_id=_text(session, "payment_intent"),
            amount=_amount(session, "amount_total"),
            currency=_text(session, "currency"),
            reference=_reference(session),
        )

    def _refunded(self, charge: dict[str, Any]) -> PaymentNotification | None:
        charge_id = _text(charge, "payment_intent")
        if charge.get("refunded") is not True:
            log.warning("stripe: partial refund of %s left to an operator", charge_id)
            return None
        return PaymentNotification(
            provider=self.provider,
            event=PaymentEvent.REFUNDED,
            charge_id=charge_id,
            amount=_amount(charge, "amount"),
            currency=_text(charge, "currency"),
        )


def _object(event: dict[str, Any]) -> dict[str, Any]:
    data = event.get("data")
    found = data.get("object") if isinstance(data, dict) else None
    if not isinstance(found, dict):
        raise InvalidValue(OBJECT, "must be an object")
    return found


def _text(data: Mapping[str, Any], name: str) -> str:
    try:
        return text(data, name)
    except InvalidValue as error:
        raise InvalidValue(f"{OBJECT}.{name}", error.message) from None


def _amount(data: Mapping[str, Any], name: str) -> int:
    try:
        return amount(data, name)
    except InvalidValue as error:
        raise InvalidValue(f"{OBJECT}.{name}", error.message) from None


def _reference(session: Mapping[str, Any]) -> str:
    metadata = session.get("metadata")
    given = metadata.get("reference") if isinstance(metadata, dict) else None
    given = given or session.get("client_reference_id")
    if not isinstance(given, str) or not given:
        raise InvalidValue(f"{OBJECT}.metadata.reference", "must be our payment reference")
    return given
