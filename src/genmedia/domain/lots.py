"""Credit lots: each grant of credits, consumed in a fixed order and refundable up to what is left.

Consumption order (reference/ledger.md §5): lower priority first, then the lot that expires
soonest (lots that never expire last), promotional before paid, then the oldest.
`CONSUMPTION_ORDER` describes it once; `CreditLot.sort_key` and the SQL ORDER BY are both
built from it.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.errors import InsufficientCredits
from genmedia.domain.stored import Stored
from genmedia.domain.wallet import EntryKind, Posting


class LotCategory(enum.StrEnum):
    """What kind of grant a lot came from."""

    PAID = "paid"
    PROMO = "promo"
    GIFT = "gift"
    ADMIN = "admin"
    REFUND = "refund"


CATEGORY_OF_KIND = {
    EntryKind.PURCHASE: LotCategory.PAID,
    EntryKind.GIFT_CARD: LotCategory.GIFT,
    EntryKind.COUPON: LotCategory.PROMO,
    EntryKind.BONUS: LotCategory.PROMO,
    EntryKind.ADMIN_ADJUSTMENT: LotCategory.ADMIN,
    EntryKind.REFUND: LotCategory.REFUND,
}


@attrs.frozen
class SortTerm:
    """One term of an order: a field ascending with missing values last or, given `last`,
    whether the field equals `last` (the lots that do come after the others)."""

    field: str
    last: object = None

    def key(self, lot: object) -> tuple[Any, ...]:
        """This term's part of a sort key."""
        value = getattr(lot, self.field)
        if self.last is not None:
            return (value == self.last,)
        return (value is None, value)


CONSUMPTION_ORDER = (
    SortTerm("priority"),
    SortTerm("expires_at"),
    SortTerm("category", last=LotCategory.PAID),
    SortTerm("created_at"),
    SortTerm("id"),
)
"""The order lots are drawn on, first to last."""


@attrs.define(slots=False, eq=False, kw_only=True)
class CreditLot(Stored):
    """Credits granted together, and how many of them are left."""

    id: int | None = None
    user_id: int
    category: LotCategory
    amount: int
    remaining: int
    reference_id: str
    priority: int = 0
    expires_at: datetime | None = None
    created_at: datetime | None = None

    @classmethod
    def opened_by(
        cls, user_id: int, posting: Posting, expires_at: datetime | None = None
    ) -> CreditLot:
        """The lot a credit posting opens, in the category of its kind."""
        return cls(
            user_id=user_id,
            category=CATEGORY_OF_KIND.get(posting.kind, LotCategory.ADMIN),
            amount=posting.amount,
            remaining=posting.amount,
            reference_id=posting.reference_id,
            expires_at=expires_at,
        )

    def sort_key(self) -> tuple[Any, ...]:
        """The lot's place in the consumption order."""
        return tuple(part for term in CONSUMPTION_ORDER for part in term.key(self))

    def reclaimable(self, available: int) -> int:
        """How much of the lot can be taken back now (expiry, refund): what is left of it, as
        far as the wallet's available credits cover it (held credits are never taken)."""
        return max(0, min(self.remaining, available))


def plan_consumption(
    lots: Sequence[CreditLot], amount: int, *, first: int | None = None
) -> list[tuple[CreditLot, int]]:
    """Which lots a debit of `amount` draws from, and how much from each: from the lot with
    id `first` as far as it goes when given (a claw-back of that lot), then in consumption
    order."""

    def order(lot: CreditLot) -> tuple[bool, tuple[Any, ...]]:
        return (first is None or lot.id != first, lot.sort_key())

    plan: list[tuple[CreditLot, int]] = []
    left = amount
    for lot in sorted((lot for lot in lots if lot.remaining > 0), key=order):
        if left == 0:
            break
        take = min(lot.remaining, left)
        plan.append((lot, take))
        left -= take
    if left:
        raise InsufficientCredits(amount, amount - left)
    return plan
