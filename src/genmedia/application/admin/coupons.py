"""Admin: coupons (SPEC WAL-5), created, listed, changed and retired, each write audited.

A coupon is never deleted: its redemptions, payments and ledger entries name it. DELETE
retires it (`is_active` false); a PATCH can bring it back.
"""

from __future__ import annotations

from typing import Any

from genmedia.application.admin import fields as f
from genmedia.application.admin.audit import audit
from genmedia.application.errors import StaleAggregate
from genmedia.application.pages import DEFAULT_LIMIT, Key, Page, check_window, page_of
from genmedia.application.ports import Clock, UnitOfWork
from genmedia.application.retry import retry_stale
from genmedia.domain.coupons import Coupon, DiscountType

ENTITY = "coupon"
CHANGES: dict[str, f.Reader] = {
    "description": f.string,
    "discount_type": f.member(DiscountType),
    "discount_value": f.whole,
    "currency": f.optional(f.string),
    "max_uses": f.optional(f.whole),
    "valid_from": f.moment,
    "valid_until": f.optional(f.moment),
    "is_active": f.flag,
}
FIELDS: dict[str, f.Reader] = {"code": f.string, **CHANGES}
REQUIRED = ("code", "discount_type", "discount_value")


def list_coupons(
    *, uow: UnitOfWork, after: Key | None = None, limit: int = DEFAULT_LIMIT
) -> Page[Coupon]:
    """Every coupon, active or not, newest first."""
    check_window(after, limit, 1)
    with uow:
        rows = uow.coupons.page(after, limit + 1)
    return page_of(rows, limit, lambda c: (c.id or 0,))


def get_coupon(coupon_id: int, *, uow: UnitOfWork) -> Coupon:
    """The coupon with this id, or NotFound."""
    with uow:
        return uow.coupons.get(coupon_id)


def create_coupon(actor_id: int | None, document: Any, *, uow: UnitOfWork, clock: Clock) -> Coupon:
    """A new coupon from an admin's document (valid from now unless it says otherwise);
    AlreadyExists if its code is taken."""
    values, now = f.read(document, FIELDS, REQUIRED), clock.now()
    coupon = Coupon(**{"valid_from": now, **values})
    with uow:
        uow.coupons.add(coupon)
        audit(uow, actor_id, "create", ENTITY, coupon.id, None, f.state_of(coupon), now)
        uow.commit()
    return coupon


def update_coupon(
    actor_id: int | None, coupon_id: int, document: Any, *, uow: UnitOfWork, clock: Clock
) -> Coupon:
    """Change the fields the document names (`Coupon.revised`), however many uses are
    counted meanwhile."""
    changes = f.read(document, CHANGES)
    return retry_stale(lambda: _revise(actor_id, coupon_id, changes, "update", uow, clock))


def delete_coupon(actor_id: int | None, coupon_id: int, *, uow: UnitOfWork, clock: Clock) -> None:
    """Retire the coupon (is_active false), keeping it for the records that name it."""
    retry_stale(lambda: _revise(actor_id, coupon_id, {"is_active": False}, "delete", uow, clock))


def _revise(
    actor_id: int | None,
    coupon_id: int,
    changes: dict[str, Any],
    action: str,
    uow: UnitOfWork,
    clock: Clock,
) -> Coupon:
    with uow:
        coupon = uow.coupons.get(coupon_id)
        revised = coupon.revised(changes)
        before, after = f.state_of(coupon), f.state_of(revised)
        if before == after:
            return revised
        if not uow.coupons.save(revised):
            raise StaleAggregate(f"coupon {coupon_id} was used while it was changed")
        audit(uow, actor_id, action, ENTITY, coupon_id, before, after, clock.now())
        uow.commit()
    return revised
