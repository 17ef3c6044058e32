"""Webhook deliveries as Stripe and Telegram send them, for the payment tests."""

from __future__ import annotations

import json
from typing import Any

from genmedia.adapters.payments import sign

STRIPE_SECRET = "whsec_test_0123456789abcdef"
TELEGRAM_SECRET = "tg-webhook-secret_0123"
SETTINGS = {"stripe_webhook_secret": STRIPE_SECRET, "telegram_webhook_secret": TELEGRAM_SECRET}

Delivery = tuple[bytes, dict[str, str]]


def stripe_event(kind: str, data: dict[str, Any], event_id: str = "evt_1") -> bytes:
    """A Stripe event body of this type around `data` (its `data.object`)."""
    event = {"id": event_id, "object": "event", "type": kind, "api_version": "2024-06-20",
             "created": 1767225600, "livemode": False, "data": {"object": data}}  # fmt: skip
    return json.dumps(event).encode()


def checkout_completed(reference: str, intent: str, amount: int, currency: str) -> bytes:
    """`checkout.session.completed` of a paid session for our payment `reference`."""
    session = {
        "id": f"cs_test_{intent}", "object": "checkout.session", "mode": "payment",
        "amount_total": amount, "currency": currency.lower(), "payment_status": "paid",
        "status": "complete", "payment_intent": intent, "metadata": {"reference": reference},
    }  # fmt: skip
    return stripe_event("checkout.session.completed", session, f"evt_paid_{intent}")


def charge_refunded(intent: str, amount: int, currency: str, *, whole: bool = True) -> bytes:
    """`charge.refunded` of the charge of payment intent `intent`."""
    charge = {
        "id": f"ch_{intent}", "object": "charge", "amount": amount,
        "amount_refunded": amount if whole else 1, "currency": currency.lower(),
        "payment_intent": intent, "refunded": whole,
    }  # fmt: skip
    return stripe_event("charge.refunded", charge, f"evt_refund_{intent}")


def stripe_headers(body: bytes, at: int, secret: str = STRIPE_SECRET) -> dict[str, str]:
    """The Stripe-Signature of `body` signed at `at` (unix seconds)."""
    return {"Stripe-Signature": sign(secret, body, at), "Content-Type": "application/json"}


def telegram_update(
    reference: str, charge: str, amount: int, kind: str = "successful_payment"
) -> bytes:
    """A Bot API update whose message carries a successful (or refunded) Stars payment."""
    payment = {"currency": "XTR", "total_amount": amount, "invoice_payload": reference,
               "telegram_payment_charge_id": charge, "provider_payment_charge_id": ""}  # fmt: skip
    message = {"message_id": 7, "date": 1767225600, "chat": {"id": 1, "type": "private"}}
    return json.dumps({"update_id": 1, "message": {**message, kind: payment}}).encode()


def telegram_headers(secret: str = TELEGRAM_SECRET) -> dict[str, str]:
    """The secret token header Telegram sends back."""
    return {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"}
