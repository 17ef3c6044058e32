"""Who takes the money for a payment, and which currencies each provider takes (SPEC WAL-4)."""

from __future__ import annotations

import enum
import secrets

from genmedia.domain.errors import InvalidValue

STARS = "XTR"
"""Telegram Stars, the only currency Telegram's digital-goods payments take."""
REFERENCE_PREFIX = "pay_"


class PaymentProvider(enum.StrEnum):
    """Who takes the money."""

    TELEGRAM_STARS = "telegram_stars"
    WEBHOOK = "webhook"
    STRIPE = "stripe"

    def check_currency(self, currency: str) -> None:
        """InvalidValue naming `provider` unless this provider takes `currency`."""
        if self is PaymentProvider.WEBHOOK:
            return
        if (self is PaymentProvider.TELEGRAM_STARS) != (currency == STARS):
            raise InvalidValue("provider", f"{self.value} does not take payments in {currency}")


# The names a client may use besides the members' values: the webhook paths' names.
ALIASES = {"telegram": PaymentProvider.TELEGRAM_STARS}


def payment_provider(value: str) -> PaymentProvider:
    """The provider named `value` ("telegram" is Telegram Stars), or InvalidValue naming
    `provider`."""
    if value in ALIASES:
        return ALIASES[value]
    try:
        return PaymentProvider(value)
    except ValueError:
        names = ", ".join([*ALIASES, *(p.value for p in PaymentProvider)])
        raise InvalidValue("provider", f"must be one of {names}") from None


def provider_for(currency: str, requested: str | None = None) -> PaymentProvider:
    """The provider asked for, or the one that takes `currency` (Telegram Stars for XTR,
    Stripe for any other); InvalidValue naming `provider` if it does not take `currency`."""
    if requested is None:
        return PaymentProvider.TELEGRAM_STARS if currency == STARS else PaymentProvider.STRIPE
    chosen = payment_provider(requested)
    chosen.check_currency(currency)
    return chosen


def new_reference() -> str:
    """A fresh unguessable payment reference (about 128 bits), for the payer's checkout."""
    return REFERENCE_PREFIX + secrets.token_urlsafe(16)
