"""Telegram Stars: Bot API updates carrying `successful_payment` or `refunded_payment`.

The webhook is authenticated by the secret token given to `setWebhook`, which Telegram sends
back in `X-Telegram-Bot-Api-Secret-Token`; it is compared in constant time before the body
is read. `invoice_payload` is our payment reference; amounts are whole stars (currency XTR).
An update that carries no payment (a message, a pre-checkout query the bot answers itself) is
authentic but asks nothing of us: it is acknowledged and ignored.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from genmedia.adapters.payments.reading import amount, header, json_object, text
from genmedia.application.ports import PaymentVerifier
from genmedia.domain.errors import InvalidSignature
from genmedia.domain.purchases import PaymentEvent, PaymentNotification, PaymentProvider

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
EVENTS = {"successful_payment": PaymentEvent.PAID, "refunded_payment": PaymentEvent.REFUNDED}


class TelegramStarsVerifier(PaymentVerifier):
    """Checks the webhook's secret token in constant time, then reads the payment."""

    provider = PaymentProvider.TELEGRAM_STARS

    def __init__(self, secret_token: str) -> None:
        if not secret_token:
            raise ValueError("a Telegram webhook secret token is required")
        self._secret = secret_token.encode()

    def __repr__(self) -> str:
        return "TelegramStarsVerifier(secret_token='***')"

    def verify(self, headers: Mapping[str, str], body: bytes) -> PaymentNotification | None:
        """The payment in the update, None if it has none; InvalidSignature unless the
        secret token matches."""
        given = header(headers, SECRET_HEADER).encode()
        if not hmac.compare_digest(given, self._secret):
            raise InvalidSignature("the Telegram secret token is missing or wrong")
        message = json_object(body).get("message")
        found = [
            (event, message[key])
            for key, event in EVENTS.items()
            if isinstance(message, dict) and isinstance(message.get(key), dict)
        ]
        if not found:
            return None
        event, payment = found[0]
        return PaymentNotification(
            provider=self.provider,
            event=event,
            charge_id=text(payment, "telegram_payment_charge_id"),
            amount=amount(payment, "total_amount"),
            currency=text(payment, "currency"),
            reference=text(payment, "invoice_payload"),
        )
