"""Coupons in SQL: a use is one conditional increment, a redemption one unique row."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from genmedia.adapters.sql.repositories.base import (
    SqlRepository,
    is_unique_violation,
    unique_or_already_exists,
)
from genmedia.adapters.sql.repositories.commerce.rows import coupon_from_row, row_of
from genmedia.adapters.sql.repositories.pages import keyset
from genmedia.adapters.sql.tables import coupon_redemptions, coupons
from genmedia.application.ports import CouponRepository
from genmedia.domain.coupons import (
    EDITABLE,
    TERMS,
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

    def get_by_code(self, code: str) -> Coupon | None:
        """The coupon with this code, in any case; None for a code no coupon could have."""
        try:
            key = normalise_coupon_code(code)
        except InvalidValue:
            return None
        row = self._one(sa.select(c).where(c.c.code == key))
        return coupon_from_row(row) if row else None

    def claim_use(self, redemption: CouponRedemption) -> bool:
        """used_count + 1 while the coupon is still active and not used up: the SQL form of
        `Coupon.is_used_up`, evaluated on the row as the increment locks it, so concurrent
        claims never count more than max_uses (tests/integration/contracts/
        test_commerce_contracts.py ties the two). The validity window depends only on the
        time, which `Coupon.claim_use` checked."""
        not_used_up = sa.or_(c.c.max_uses.is_(None), c.c.used_count < c.c.max_uses)
        statement = (
            sa.update(c)
            .where(c.c.id == redemption.coupon_id, c.c.is_active.is_(True), not_used_up)
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

    def get(self, coupon_id: int) -> Coupon:
        """The coupon with this id, or NotFound."""
        row = self._one(sa.select(c).where(c.c.id == coupon_id))
        if row is None:
            raise NotFound("coupon", coupon_id)
        return coupon_from_row(row)

    def page(self, after: tuple[int, ...] | None, limit: int) -> list[Coupon]:
        """Every coupon by id descending."""
        query = keyset(sa.select(c), ((c.c.id, True),), after, limit)
        return [coupon_from_row(row) for row in self._all(query)]

    def save(self, coupon: Coupon) -> bool:
        """Write the editable fields where the use count is still the coupon's own."""
        statement = (
            sa.update(c)
            .where(c.c.id == coupon.id, c.c.used_count == coupon.used_count)
            .values({name: getattr(coupon, name) for name in sorted(EDITABLE | TERMS)})
        )
        return self._connection.execute(statement).rowcount == 1
