"""Telegram Stars: Bot API updates carrying `successful_payment` or `refunded_payment`.

The webhook is authenticated by the secret token given to `setWebhook`, which Telegram sends
back in `X-Telegram-Bot-Api-Secret-Token`. `invoice_payload` is our payment id; amounts are
whole stars (currency XTR).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from genmedia.adapters.payments.reading import amount, header, json_object, payment_id, text
from genmedia.application.ports import PaymentVerifier
from genmedia.domain.errors import InvalidSignature, InvalidValue
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

    def verify(self, headers: Mapping[str, str], body: bytes) -> PaymentNotification:
        """The payment in the update; InvalidSignature unless the secret token matches."""
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
            raise InvalidValue("body", "the update carries no successful or refunded payment")
        event, payment = found[0]
        payload = text(payment, "invoice_payload")
        return PaymentNotification(
            provider=self.provider,
            event=event,
            charge_id=text(payment, "telegram_payment_charge_id"),
            amount=amount(payment, "total_amount"),
            currency=text(payment, "currency"),
            payment_id=payment_id(payload),
            payload=payload,
        )
