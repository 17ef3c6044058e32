"""Coupons in SQL: a use is one conditional increment, a redemption one unique row."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from genmedia.adapters.sql.repositories.base import (
    SqlRepository,
    is_unique_violation,
    unique_or_already_exists,
)
from genmedia.adapters.sql.repositories.commerce.rows import (
    coupon_from_row,
    redemption_from_row,
    row_of,
)
from genmedia.adapters.sql.tables import coupon_redemptions, coupons
from genmedia.application.ports import CouponRepository
from genmedia.domain.coupons import (
    Coupon,
    CouponRedemption,
    already_redeemed,
    normalise_coupon_code,
)
from genmedia.domain.errors import InvalidValue, NotFound

c, r = coupons, coupon_redemptions


class SqlCouponRepository(SqlRepository, CouponRepository):
    """Coupons, unique by their upper-case code, and who used them."""

    def add(self, coupon: Coupon) -> Coupon:
        """Insert a coupon; AlreadyExists if the code is taken."""
        statement = sa.insert(c).values(row_of(coupon)).returning(c.c.id, c.c.created_at)
        with unique_or_already_exists(self._connection, "coupon", coupon.code):
            coupon_id, created_at = self._connection.execute(statement).one()
            coupon.stored_as(coupon_id, created_at=created_at)
        return coupon

    def get(self, coupon_id: int) -> Coupon:
        """The coupon with this id, or NotFound."""
        row = self._one(sa.select(c).where(c.c.id == coupon_id))
        if row is None:
            raise NotFound("coupon", coupon_id)
        return coupon_from_row(row)

    def get_by_code(self, code: str) -> Coupon | None:
        """The coupon with this code, in any case; None for a code no coupon could have."""
        try:
            key = normalise_coupon_code(code)
        except InvalidValue:
            return None
        row = self._one(sa.select(c).where(c.c.code == key))
        return coupon_from_row(row) if row else None

    def claim_use(self, coupon_id: int, now: datetime) -> bool:
        """used_count + 1, only while the coupon is active, valid and not used up."""
        statement = (
            sa.update(c)
            .where(
                c.c.id == coupon_id,
                c.c.is_active == sa.true(),
                sa.or_(c.c.max_uses.is_(None), c.c.used_count < c.c.max_uses),
                c.c.valid_from <= now,
                sa.or_(c.c.valid_until.is_(None), c.c.valid_until > now),
            )
            .values(used_count=c.c.used_count + 1)
        )
        return self._connection.execute(statement).rowcount == 1

    def add_redemption(self, redemption: CouponRedemption) -> CouponRedemption:
        """Insert a redemption; AlreadyUsed if the user already used the coupon."""
        values = row_of(redemption, without=("id",))
        if values["redeemed_at"] is None:
            del values["redeemed_at"]
        statement = sa.insert(r).values(values).returning(r.c.id, r.c.redeemed_at)
        try:
            with self._connection.begin_nested():
                redemption_id, redeemed_at = self._connection.execute(statement).one()
                redemption.stored_as(redemption_id, redeemed_at=redeemed_at)
        except IntegrityError as error:
            if not is_unique_violation(error):
                raise
            raise already_redeemed(redemption.coupon_id, redemption.user_id) from error
        return redemption

    def redemptions(self, coupon_id: int) -> list[CouponRedemption]:
        """The coupon's redemptions, oldest first."""
        query = sa.select(r).where(r.c.coupon_id == coupon_id).order_by(r.c.id)
        return [redemption_from_row(row) for row in self._all(query)]
