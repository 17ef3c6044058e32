"""Credit lots: each grant of credits, consumed in a fixed order and refundable up to what is left.

Consumption order (reference/ledger.md §5): lower priority first, then the lot that expires
soonest (lots that never expire last), promotional before paid, then the oldest.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime

import attrs

from genmedia.domain.errors import InsufficientCredits
from genmedia.domain.stored import Stored
from genmedia.domain.wallet import EntryKind


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

    def sort_key(self) -> tuple[int, bool, str, bool, str, int]:
        """The lot's place in the consumption order."""
        expires = self.expires_at.isoformat() if self.expires_at else ""
        created = self.created_at.isoformat() if self.created_at else ""
        paid = self.category is LotCategory.PAID
        return (self.priority, self.expires_at is None, expires, paid, created, self.id or 0)


def plan_consumption(lots: Sequence[CreditLot], amount: int) -> list[tuple[CreditLot, int]]:
    """Which lots a debit of `amount` draws from, and how much from each."""
    plan: list[tuple[CreditLot, int]] = []
    left = amount
    for lot in sorted((lot for lot in lots if lot.remaining > 0), key=CreditLot.sort_key):
        if left == 0:
            break
        take = min(lot.remaining, left)
        plan.append((lot, take))
        left -= take
    if left:
        raise InsufficientCredits(amount, amount - left)
    return plan
