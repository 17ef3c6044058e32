"""Bodies of the payment routes (API.md, Wallet): purchases, gift cards, webhook receipts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import attrs

from genmedia.application.commerce.gift_cards import IssuedGiftCard
from genmedia.domain.gift_cards import GiftCardStatus
from genmedia.domain.purchases import Payment, PaymentStatus

Provider = Literal["stripe", "telegram"]


@attrs.frozen(kw_only=True)
class PurchaseBody:
    """A credit pack to buy, a discount coupon's code, and who takes the money (`stripe`
    or `telegram`; by default the one that takes the pack's currency)."""

    credit_pack_id: int
    coupon_code: str | None = None
    provider: Provider | None = None


@attrs.frozen(kw_only=True)
class PurchaseView:
    """A payment for credits: hand `reference` to the provider's checkout (Stripe's
    `metadata.reference`, Telegram's `invoice_payload`); `amount` is owed in the
    currency's minor unit, after any coupon."""

    id: int
    reference: str
    provider: str
    amount: int
    currency: str
    credits: int
    status: PaymentStatus
    created_at: datetime | None
    paid_at: datetime | None
    refunded_at: datetime | None


@attrs.frozen(kw_only=True)
class GiftCardBody:
    """A credit pack to give, to whom, and who takes the money."""

    credit_pack_id: int
    recipient_email: str | None = None
    provider: Provider | None = None


@attrs.frozen(kw_only=True)
class GiftCardView:
    """A new gift card, pending until its payment (`reference`) is paid; `code` is shown
    this once and never again."""

    id: int
    code: str
    status: GiftCardStatus
    credits: int
    reference: str
    payment_id: int
    provider: str
    amount: int
    currency: str
    recipient_email: str | None
    expires_at: datetime | None


@attrs.frozen(kw_only=True)
class PaymentReceipt:
    """A delivery was authentic: `status` of the payment it moved, or `ignored`."""

    received: bool
    status: PaymentStatus | Literal["ignored"]


def purchase_view(payment: Payment) -> PurchaseView:
    """A payment as its buyer sees it."""
    return PurchaseView(
        id=payment.id or 0,
        reference=payment.reference,
        provider=payment.provider.value,
        amount=payment.amount,
        currency=payment.currency,
        credits=payment.credits,
        status=payment.status,
        created_at=payment.created_at,
        paid_at=payment.paid_at,
        refunded_at=payment.refunded_at,
    )


def gift_card_view(issued: IssuedGiftCard) -> GiftCardView:
    """A gift card just bought, with its code."""
    card, payment = issued.card, issued.payment
    return GiftCardView(
        id=card.id or 0,
        code=issued.code,
        status=card.status,
        credits=card.credits,
        reference=payment.reference,
        payment_id=payment.id or 0,
        provider=payment.provider.value,
        amount=payment.amount,
        currency=payment.currency,
        recipient_email=card.recipient_email,
        expires_at=card.expires_at,
    )


def receipt(payment: Payment | None) -> PaymentReceipt:
    """What the provider is told about its delivery."""
    return PaymentReceipt(received=True, status=payment.status if payment else "ignored")
