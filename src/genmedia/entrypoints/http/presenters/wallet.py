"""Bodies of the Wallet routes (API.md, Wallet)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import attrs

from genmedia.application.commerce.redemptions import Redeemed
from genmedia.domain.money import CreditRate
from genmedia.domain.purchases import CreditPack
from genmedia.domain.wallet import EntryKind, EntryStatus, EntryType, LedgerEntry, Wallet


@attrs.frozen(kw_only=True)
class WalletView:
    """The caller's credits: `available` is `balance` minus what is `held` for queued and
    running work; the lifetime totals of credits spent on work and bought."""

    balance: int
    held: int
    available: int
    total_spent: int
    total_bought: int


@attrs.frozen(kw_only=True)
class RelatedView:
    """What a ledger entry is about (null where it is about no such thing)."""

    request_id: int | None = None
    job_id: int | None = None
    media_id: int | None = None
    coupon_id: int | None = None
    gift_card_id: int | None = None
    trained_model_id: int | None = None
    payment_id: int | None = None


@attrs.frozen(kw_only=True)
class TransactionView:
    """One ledger entry; `status` is `refunded` on a purchase whose payment was refunded."""

    id: int
    type: EntryType
    kind: EntryKind
    amount: int
    balance_before: int
    balance_after: int
    reason: str
    source: str
    reference_id: str
    status: EntryStatus
    related: RelatedView
    created_at: datetime | None


@attrs.frozen(kw_only=True)
class CreditPackView:
    """Credits sold together at one price; `value_vnd`: what the credits are worth in đồng
    at the configured VND↔credits rate (GENMEDIA_VND_PER_CREDIT)."""

    id: int
    name: str
    credits: int
    price: int
    currency: str
    value_vnd: int


@attrs.frozen(kw_only=True)
class RedeemBody:
    """A coupon or gift-card code, in any case, with or without dashes."""

    code: str


@attrs.frozen(kw_only=True)
class RedeemedView:
    """What a redeemed code gave, and the balance after it."""

    kind: Literal["coupon", "gift_card"]
    credits_awarded: int
    balance: int


def wallet_view(wallet: Wallet) -> WalletView:
    """A wallet as the API shows it."""
    return WalletView(
        balance=wallet.balance,
        held=wallet.held,
        available=wallet.available,
        total_spent=wallet.total_spent,
        total_bought=wallet.total_bought,
    )


def transaction_view(entry: LedgerEntry) -> TransactionView:
    """A ledger entry, as shown now, with its links."""
    return TransactionView(
        id=entry.id or 0,
        type=entry.type,
        kind=entry.kind,
        amount=entry.amount,
        balance_before=entry.balance_before,
        balance_after=entry.balance_after,
        reason=entry.reason,
        source=entry.source,
        reference_id=entry.reference_id,
        status=entry.status,
        related=RelatedView(**attrs.asdict(entry.links)),
        created_at=entry.created_at,
    )


def credit_pack_view(pack: CreditPack, rate: CreditRate) -> CreditPackView:
    """A credit pack on sale, valued at `rate`."""
    return CreditPackView(
        id=pack.id or 0,
        name=pack.name,
        credits=pack.credits,
        price=pack.price,
        currency=pack.currency,
        value_vnd=rate.vnd_value(pack.credits),
    )


def redeemed_view(redeemed: Redeemed) -> RedeemedView:
    """What a code gave."""
    return RedeemedView(
        kind=redeemed.kind,
        credits_awarded=redeemed.credits_awarded,
        balance=redeemed.balance,
    )
