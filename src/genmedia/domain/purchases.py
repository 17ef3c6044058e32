"""Credit packs and the payments that buy them or a gift card (SPEC WAL-4)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.errors import IllegalTransition, InvalidValue, NotFound
from genmedia.domain.money import normalise_currency, whole
from genmedia.domain.stored import Stored


class PaymentProvider(enum.StrEnum):
    """Who takes the money."""

    TELEGRAM_STARS = "telegram_stars"
    WEBHOOK = "webhook"


def payment_provider(value: str) -> PaymentProvider:
    """The provider named `value`, or InvalidValue naming `provider`."""
    try:
        return PaymentProvider(value)
    except ValueError:
        names = ", ".join(p.value for p in PaymentProvider)
        raise InvalidValue("provider", f"must be one of {names}") from None


class PaymentStatus(enum.StrEnum):
    """Where a payment is: pending until the provider confirms it."""

    PENDING = "pending"
    PAID = "paid"
    REFUNDED = "refunded"
    FAILED = "failed"


class PaymentPurpose(enum.StrEnum):
    """What the money buys: credits for the payer, or a gift card."""

    PURCHASE = "purchase"
    GIFT_CARD = "gift_card"


class PaymentEvent(enum.StrEnum):
    """What a provider tells us about a charge."""

    PAID = "paid"
    REFUNDED = "refunded"


@attrs.define(slots=False, eq=False, kw_only=True)
class CreditPack(Stored):
    """Credits sold together at one price, e.g. Starter, Pro or Premium."""

    id: int | None = None
    name: str = attrs.field()
    credits: int = attrs.field(validator=whole("credits", 1))
    price: int = attrs.field(validator=whole("price"))
    currency: str = attrs.field(converter=normalise_currency)
    is_active: bool = True
    created_at: datetime | None = None

    @name.validator
    def _check_name(self, attribute: Any, value: str) -> None:
        if not value.strip() or len(value) > 128:
            raise InvalidValue("name", "must have 1 to 128 characters")


@attrs.frozen(kw_only=True)
class PaymentNotification:
    """A verified message from a provider: a charge was paid or refunded."""

    provider: PaymentProvider
    event: PaymentEvent
    charge_id: str
    amount: int
    currency: str
    payment_id: int | None = None
    payload: str = ""


@attrs.define(slots=False, eq=False, kw_only=True)
class Payment(Stored):
    """Money owed for a credit pack; credits (or a gift card) follow once it is paid.

    `amount` is what the payer owes after any coupon, in the currency's minor unit.
    """

    id: int | None = None
    provider: PaymentProvider
    purpose: PaymentPurpose = PaymentPurpose.PURCHASE
    user_id: int | None = None
    credit_pack_id: int | None = None
    gift_card_id: int | None = None
    coupon_id: int | None = None
    amount: int = attrs.field(validator=whole("amount"))
    currency: str = attrs.field(converter=normalise_currency)
    credits: int = attrs.field(validator=whole("credits", 1))
    status: PaymentStatus = PaymentStatus.PENDING
    charge_id: str | None = None
    paid_at: datetime | None = None
    refunded_at: datetime | None = None
    metadata: dict[str, Any] = attrs.field(factory=dict)
    created_at: datetime | None = None

    @property
    def buyer_id(self) -> int:
        """The user whose wallet the payment credits; NotFound if there is none."""
        if self.user_id is None:
            raise NotFound("user", None)
        return self.user_id

    @property
    def credit_reference(self) -> str:
        """The ledger reference of the credits this payment bought."""
        return f"payment:{self.provider.value}:{self.charge_id}"

    @property
    def refund_reference(self) -> str:
        """The ledger reference of the claw-back when this payment is refunded."""
        return f"refund:{self.provider.value}:{self.charge_id}"

    def is_confirmed_by(self, charge_id: str) -> bool:
        """Whether this payment was already paid by exactly this charge (a replay)."""
        return self.status is not PaymentStatus.PENDING and self.charge_id == charge_id

    def mark_paid(self, charge_id: str, amount: int, currency: str, now: datetime) -> None:
        """Record the provider's charge; the amount and currency must be what we asked for."""
        if self.status is not PaymentStatus.PENDING:
            raise IllegalTransition("payment", self.status.value, PaymentStatus.PAID.value)
        if not charge_id or len(charge_id) > 150:
            raise InvalidValue("charge_id", "must have 1 to 150 characters")
        if amount != self.amount or currency.upper() != self.currency:
            raise InvalidValue(
                "amount",
                f"payment {self.id} expects {self.amount} {self.currency}, "
                f"the provider reports {amount} {currency}",
            )
        self.status = PaymentStatus.PAID
        self.charge_id = charge_id
        self.paid_at = now

    def mark_refunded(self, now: datetime) -> None:
        """Record that the provider gave the money back."""
        if self.status is not PaymentStatus.PAID:
            raise IllegalTransition("payment", self.status.value, PaymentStatus.REFUNDED.value)
        self.status = PaymentStatus.REFUNDED
        self.refunded_at = now
