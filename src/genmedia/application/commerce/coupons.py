"""Coupon use cases: create one, claim a use, redeem a credits coupon (SPEC WAL-5)."""

from __future__ import annotations

from datetime import datetime

from genmedia.application.ports import UnitOfWork
from genmedia.domain.coupons import Coupon, CouponRedemption, used_up
from genmedia.domain.errors import InvalidValue
from genmedia.domain.wallet import EntryKind, EntryType, LedgerEntry, Links, Posting


def create_coupon(coupon: Coupon, *, uow: UnitOfWork) -> Coupon:
    """Add a coupon; AlreadyExists if its code (in any case) is taken."""
    with uow:
        uow.coupons.add(coupon)
        uow.commit()
    return coupon


def claim_coupon(
    uow: UnitOfWork,
    coupon: Coupon,
    user_id: int,
    now: datetime,
    *,
    credits: int = 0,
    discount: int = 0,
    payment_id: int | None = None,
    reference_id: str | None = None,
) -> CouponRedemption:
    """Count one use of the coupon and record who used it, inside the caller's transaction.

    Expired or AlreadyUsed (used up, or used by this user before); the caller's rollback
    undoes the counted use when the redemption is refused.
    """
    coupon.check_usable(now)
    if not uow.coupons.claim_use(coupon.id or 0, now):
        raise used_up(coupon)
    return uow.coupons.add_redemption(
        CouponRedemption(
            coupon_id=coupon.id or 0,
            user_id=user_id,
            credits_awarded=credits,
            discount_applied=discount,
            payment_id=payment_id,
            reference_id=reference_id,
            redeemed_at=now,
        )
    )


def redeem_coupon(uow: UnitOfWork, coupon: Coupon, user_id: int, now: datetime) -> LedgerEntry:
    """Give a credits coupon's credits to the user, inside the caller's transaction."""
    if not coupon.gives_credits:
        raise InvalidValue("code", "this coupon is a discount: use it when buying a credit pack")
    reference = f"coupon:{coupon.id}:{user_id}"
    claim_coupon(uow, coupon, user_id, now, credits=coupon.credits_awarded, reference_id=reference)
    posting = Posting(
        reference_id=reference,
        type=EntryType.CREDIT,
        kind=EntryKind.COUPON,
        amount=coupon.credits_awarded,
        reason=f"coupon {coupon.code}",
        links=Links(coupon_id=coupon.id),
    )
    return uow.wallets.post(user_id, posting)
