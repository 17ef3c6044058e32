"""Coupons: a discount on a purchase, or credits given outright (SPEC WAL-5)."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.errors import AlreadyUsed, Expired, InvalidValue
from genmedia.domain.money import normalise_currency, whole
from genmedia.domain.stored import Stored

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,63}$")
EDITABLE = frozenset({"description", "max_uses", "valid_from", "valid_until", "is_active"})
TERMS = frozenset({"discount_type", "discount_value", "currency"})
"""What a coupon gives: fixed once the coupon has been used, as its redemptions record it."""


def normalise_coupon_code(code: str) -> str:
    """The canonical (upper-case, trimmed) form of a coupon code; codes ignore case."""
    value = str(code).strip().upper()
    if not _CODE.match(value):
        raise InvalidValue("code", "must be 3 to 64 letters, digits, '-' or '_'")
    return value


class DiscountType(enum.StrEnum):
    """What a coupon gives: a share of the price, an amount off it, or credits."""

    PERCENTAGE = "percentage"
    FIXED_AMOUNT = "fixed_amount"
    CREDITS = "credits"


@attrs.define(slots=False, eq=False, kw_only=True)
class Coupon(Stored):
    """A code with limited uses and a validity window.

    `discount_value` is a percentage (1–100), an amount in the minor unit of `currency`
    (fixed_amount coupons only), or a number of credits.
    """

    id: int | None = None
    code: str = attrs.field(converter=normalise_coupon_code)
    description: str = ""
    discount_type: DiscountType
    discount_value: int = attrs.field(validator=whole("discount_value", 1))
    currency: str | None = attrs.field(
        default=None, converter=attrs.converters.optional(normalise_currency)
    )
    max_uses: int | None = attrs.field(default=None, validator=whole("max_uses", 1, optional=True))
    used_count: int = attrs.field(default=0, validator=whole("used_count"))
    valid_from: datetime
    valid_until: datetime | None = None
    is_active: bool = True
    created_at: datetime | None = None

    def __attrs_post_init__(self) -> None:
        kind = self.discount_type
        if kind is DiscountType.PERCENTAGE and self.discount_value > 100:
            raise InvalidValue("discount_value", "a percentage cannot exceed 100")
        if (kind is DiscountType.FIXED_AMOUNT) != (self.currency is not None):
            raise InvalidValue("currency", "is required for fixed_amount coupons, and only there")
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise InvalidValue("valid_until", "must be after valid_from")

    def revised(self, changes: Mapping[str, Any]) -> Coupon:
        """The coupon with these fields changed, checked as a new one is. Its code and count
        stay; its TERMS change only while it is unused; max_uses never drops below its uses."""
        for name in changes:
            if name not in EDITABLE | TERMS:
                raise InvalidValue(name, "cannot be changed")
            if name in TERMS and self.used_count:
                raise InvalidValue(name, "cannot change once the coupon has been used")
        revised = attrs.evolve(self, **changes)
        if revised.max_uses is not None and revised.max_uses < self.used_count:
            raise InvalidValue("max_uses", f"cannot be below the {self.used_count} uses counted")
        return revised

    @property
    def gives_credits(self) -> bool:
        """Whether the coupon gives credits rather than a discount."""
        return self.discount_type is DiscountType.CREDITS

    @property
    def credits_awarded(self) -> int:
        """The credits a credits coupon gives (0 for a discount coupon)."""
        return self.discount_value if self.gives_credits else 0

    def price_after(self, price: int, currency: str) -> int:
        """The price after the discount, never below 0.

        A percentage discount is rounded down to a whole minor unit, so the buyer pays the
        exact discounted price rounded up (10% off 999 is 899 + 1 = 900).
        """
        if self.discount_type is DiscountType.PERCENTAGE:
            return price - price * self.discount_value // 100
        if self.discount_type is DiscountType.FIXED_AMOUNT:
            if currency.upper() != self.currency:
                raise InvalidValue("coupon_code", f"applies only to prices in {self.currency}")
            return max(0, price - self.discount_value)
        raise InvalidValue("coupon_code", "gives credits, not a discount: redeem it instead")

    @property
    def is_used_up(self) -> bool:
        """Whether every use the coupon allows has been counted."""
        return self.max_uses is not None and self.used_count >= self.max_uses

    def check_usable(self, now: datetime) -> None:
        """Raise Expired (inactive, not yet or no longer valid) or AlreadyUsed (used up)."""
        if not self.is_active:
            raise Expired(f"coupon {self.code} is no longer active")
        if now < self.valid_from:
            raise Expired(f"coupon {self.code} is not valid before {self.valid_from.isoformat()}")
        if self.valid_until is not None and now >= self.valid_until:
            raise Expired(f"coupon {self.code} expired on {self.valid_until.isoformat()}")
        if self.is_used_up:
            raise used_up(self)

    def claim_use(
        self,
        user_id: int,
        now: datetime,
        *,
        credits: int = 0,
        discount: int = 0,
        payment_id: int | None = None,
        reference_id: str | None = None,
    ) -> CouponRedemption:
        """Count one use by `user_id` at `now`: the redemption to record.

        Expired or AlreadyUsed if the coupon cannot be used now. A store counts the use
        only while the coupon is not used up (`is_used_up`), however many claim at once.
        """
        self.check_usable(now)
        self.used_count += 1
        return CouponRedemption(
            coupon_id=self.id or 0, user_id=user_id, credits_awarded=credits,
            discount_applied=discount, payment_id=payment_id, reference_id=reference_id,
            redeemed_at=now,
        )  # fmt: skip

    def redeem(self, user_id: int, now: datetime, reference_id: str) -> CouponRedemption:
        """Use a credits coupon for its credits, under the ledger reference `reference_id`.

        InvalidValue naming `code` for a discount coupon, which is used when buying a pack.
        """
        if not self.gives_credits:
            raise InvalidValue(
                "code", "this coupon is a discount: use it when buying a credit pack"
            )
        return self.claim_use(user_id, now, credits=self.credits_awarded, reference_id=reference_id)


@attrs.define(slots=False, eq=False, kw_only=True)
class CouponRedemption(Stored):
    """One user's use of a coupon: credits given, or a discount applied to a payment."""

    GENERATED = frozenset({"redeemed_at"})
    id: int | None = None
    coupon_id: int
    user_id: int
    credits_awarded: int = 0
    discount_applied: int = 0
    payment_id: int | None = None
    reference_id: str | None = None
    redeemed_at: datetime | None = None

    def __attrs_post_init__(self) -> None:
        if self.credits_awarded < 0 or self.discount_applied < 0:
            raise InvalidValue("credits_awarded", "credits and discounts cannot be negative")


def used_up(coupon: Coupon) -> AlreadyUsed:
    """The error for a coupon whose last use another caller just claimed."""
    return AlreadyUsed(f"coupon {coupon.code} has been used up")


def already_redeemed(coupon_id: int, user_id: int) -> AlreadyUsed:
    """The error for a second use of one coupon by one user."""
    return AlreadyUsed(f"user {user_id} has already used coupon {coupon_id}")


def describe(coupon: Coupon) -> dict[str, Any]:
    """A short summary for payment metadata and receipts."""
    return {"code": coupon.code, "type": coupon.discount_type.value, "value": coupon.discount_value}
