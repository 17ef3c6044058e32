"""Coupon use cases: create one, claim a use, redeem a credits coupon (SPEC WAL-5)."""

from __future__ import annotations

from datetime import datetime

from genmedia.application.ports import UnitOfWork
from genmedia.domain import postings
from genmedia.domain.coupons import Coupon, CouponRedemption, used_up
from genmedia.domain.wallet import LedgerEntry


def create_coupon(coupon: Coupon, *, uow: UnitOfWork) -> Coupon:
    """Add a coupon; AlreadyExists if its code (in any case) is taken."""
    with uow:
        uow.coupons.add(coupon)
        uow.commit()
    return coupon


def record_use(uow: UnitOfWork, coupon: Coupon, redemption: CouponRedemption) -> None:
    """Count the use `Coupon.claim_use` decided and record who used it, inside the caller's
    transaction: AlreadyUsed if the coupon was used up meanwhile, or by this user before.
    The caller's rollback undoes the counted use when the redemption is refused."""
    if not uow.coupons.claim_use(redemption):
        raise used_up(coupon)
    uow.coupons.add_redemption(redemption)


def redeem_coupon(uow: UnitOfWork, coupon: Coupon, user_id: int, now: datetime) -> LedgerEntry:
    """Give a credits coupon's credits to the user, inside the caller's transaction."""
    reference = postings.coupon_reference(coupon.id or 0, user_id)
    record_use(uow, coupon, coupon.redeem(user_id, now, reference))
    return uow.wallets.post(user_id, postings.coupon_credits(coupon, user_id))
