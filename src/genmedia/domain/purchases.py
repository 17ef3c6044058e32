"""Credit packs and the payments that buy them or a gift card (SPEC WAL-4)."""

from __future__ import annotations

import enum
from collections.abc import Collection
from datetime import datetime
from typing import Any

import attrs

from genmedia.domain import postings
from genmedia.domain.coupons import Coupon, describe
from genmedia.domain.errors import IllegalTransition, InvalidValue, NotFound
from genmedia.domain.money import normalise_currency, whole
from genmedia.domain.payment_providers import PaymentProvider as PaymentProvider
from genmedia.domain.payment_providers import new_reference
from genmedia.domain.stored import Stored
from genmedia.domain.wallet import EntryKind, EntryStatus, LedgerEntry


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
    """A verified message from a provider: a charge was paid or refunded.

    A payment is found by our `reference` (what the payer's checkout carried), or by its
    `payment_id`; a refund by its `charge_id`.
    """

    provider: PaymentProvider
    event: PaymentEvent
    charge_id: str
    amount: int
    currency: str
    payment_id: int | None = None
    reference: str = ""


@attrs.define(slots=False, eq=False, kw_only=True)
class Payment(Stored):
    """Money owed for a credit pack; credits (or a gift card) follow once it is paid.

    `amount` is what the payer owes after any coupon, in the currency's minor unit.
    """

    id: int | None = None
    reference: str = attrs.field(factory=new_reference)
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

    @classmethod
    def for_pack(
        cls,
        pack: CreditPack,
        provider: PaymentProvider,
        *,
        user_id: int | None,
        gift_card_id: int | None = None,
    ) -> Payment:
        """A pending payment of the pack's list price, for its credits or for a gift card;
        InvalidValue naming `provider` if the provider does not take the pack's currency."""
        provider.check_currency(pack.currency)
        purpose = PaymentPurpose.PURCHASE if gift_card_id is None else PaymentPurpose.GIFT_CARD
        return cls(
            provider=provider, purpose=purpose, user_id=user_id, credit_pack_id=pack.id,
            gift_card_id=gift_card_id, amount=pack.price, currency=pack.currency,
            credits=pack.credits, metadata={"list_price": pack.price},
        )  # fmt: skip

    @property
    def buyer_id(self) -> int:
        """The user whose wallet the payment credits; NotFound if there is none."""
        if self.user_id is None:
            raise NotFound("user", None)
        return self.user_id

    @property
    def credit_reference(self) -> str:
        """The ledger reference of the credits this payment bought."""
        return postings.purchase_reference(self.provider.value, self.charge_id)

    @property
    def refund_reference(self) -> str:
        """The ledger reference of the claw-back when this payment is refunded."""
        return postings.refund_reference(self.provider.value, self.charge_id)

    def is_confirmed_by(self, charge_id: str) -> bool:
        """Whether this payment was already paid by exactly this charge (a replay)."""
        return self.status is not PaymentStatus.PENDING and self.charge_id == charge_id

    def apply_coupon(self, coupon: Coupon) -> int:
        """Take a percentage or fixed coupon off the amount owed; the discount.

        InvalidValue naming `coupon_code` for a credits coupon or one in another currency.
        """
        if self.status is not PaymentStatus.PENDING or self.coupon_id is not None:
            raise InvalidValue("coupon_code", "only an unpaid payment takes a coupon, and one")
        discount = self.amount - coupon.price_after(self.amount, self.currency)
        self.amount -= discount
        self.coupon_id = coupon.id
        self.metadata = {**self.metadata, "coupon": describe(coupon)}
        return discount

    def settle_if_free(self, now: datetime) -> bool:
        """Mark a payment of nothing paid at once, under a charge id of its own; whether it was."""
        if self.amount != 0:
            return False
        self.mark_paid(f"free-{self.id}", 0, self.currency, now)
        return True

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

    def record_claw_back(self, amount: int) -> None:
        """Note that a refund took back `amount` of the credits bought (what their lot can give
        back, `CreditLot.reclaimable`); the rest is unrecoverable."""
        self._record_refund({"clawed_back": amount, "unrecoverable": self.credits - amount})

    def record_card_revoked(self, revoked: bool) -> None:
        """Note whether a refund withdrew the gift card bought; a redeemed card's credits are
        not recoverable."""
        unrecoverable = 0 if revoked else self.credits
        self._record_refund({"gift_card_revoked": revoked, "unrecoverable": unrecoverable})

    def _record_refund(self, outcome: dict[str, Any]) -> None:
        if self.status is not PaymentStatus.REFUNDED:
            raise IllegalTransition("payment", self.status.value, "refund recorded")
        self.metadata = {**self.metadata, "refund": outcome}


def as_shown(entry: LedgerEntry, refunded_payments: Collection[int]) -> LedgerEntry:
    """A ledger entry as the ledger shows it now: the entry stays as written (the ledger is
    append-only), but a purchase whose payment was refunded since shows `refunded`."""
    payment_id = entry.links.payment_id
    if entry.kind is EntryKind.PURCHASE and payment_id in refunded_payments:
        return attrs.evolve(entry, status=EntryStatus.REFUNDED)
    return entry
