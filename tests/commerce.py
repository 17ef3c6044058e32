"""Helpers shared by the commerce tests: buyers with empty wallets, packs, coupons, notices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from genmedia.adapters.sql.tables import coupon_redemptions
from genmedia.application.commerce.coupons import create_coupon
from genmedia.application.commerce.purchases import create_credit_pack
from genmedia.application.ports import UnitOfWork
from genmedia.domain.coupons import Coupon, CouponRedemption, DiscountType
from genmedia.domain.purchases import (
    CreditPack,
    Payment,
    PaymentEvent,
    PaymentNotification,
)
from genmedia.domain.user import User
from genmedia.domain.wallet import EntryKind, EntryType, LedgerEntry, Posting, Wallet
from tests.fakes import FakeUnitOfWork

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def add_buyer(uow: UnitOfWork, email: str = "buyer@example.com") -> int:
    """A new user with an empty wallet (no welcome credits), by id."""
    with uow:
        user = uow.users.add(User(email=email))
        uow.wallets.add(Wallet(user_id=user.id or 0))
        uow.commit()
    return user.id or 0


def add_pack(
    uow: UnitOfWork,
    name: str = "Test pack",
    credits: int = 100,
    price: int = 500,
    currency: str = "XTR",
    *,
    active: bool = True,
) -> CreditPack:
    """A credit pack on sale (or not)."""
    pack = CreditPack(name=name, credits=credits, price=price, currency=currency, is_active=active)
    return create_credit_pack(pack, uow=uow)


def add_coupon(
    uow: UnitOfWork,
    code: str,
    kind: DiscountType,
    value: int,
    *,
    max_uses: int | None = None,
    currency: str | None = None,
    valid_until: datetime | None = None,
    active: bool = True,
) -> Coupon:
    """A coupon valid since a day before T0."""
    coupon = Coupon(
        code=code,
        discount_type=kind,
        discount_value=value,
        currency=currency,
        max_uses=max_uses,
        valid_from=T0 - timedelta(days=1),
        valid_until=valid_until,
        is_active=active,
    )
    return create_coupon(coupon, uow=uow)


def paid(
    payment: Payment,
    charge_id: str = "ch_1",
    *,
    amount: int | None = None,
    currency: str | None = None,
    event: PaymentEvent = PaymentEvent.PAID,
) -> PaymentNotification:
    """The provider's notification that `payment` was paid (or refunded) under `charge_id`."""
    return PaymentNotification(
        provider=payment.provider,
        event=event,
        charge_id=charge_id,
        amount=payment.amount if amount is None else amount,
        currency=currency or payment.currency,
        payment_id=payment.id,
        reference=payment.reference,
    )


def spend(uow: UnitOfWork, user_id: int, amount: int, reference: str = "job:1:capture") -> None:
    """Debit `amount` credits as a generation would."""
    posting = Posting(
        reference_id=reference, type=EntryType.DEBIT, kind=EntryKind.GENERATION, amount=amount
    )
    with uow:
        uow.wallets.post(user_id, posting)
        uow.commit()


def balance(uow: UnitOfWork, user_id: int) -> int:
    """The user's balance now."""
    with uow:
        return uow.wallets.get(user_id).balance


def ledger(uow: UnitOfWork, user_id: int) -> list[LedgerEntry]:
    """The user's ledger entries, newest first."""
    with uow:
        return uow.wallets.entries(user_id, limit=100)


def used_count(uow: UnitOfWork, code: str) -> int:
    """How many uses of the coupon with this code are counted."""
    with uow:
        coupon = uow.coupons.get_by_code(code)
    assert coupon is not None
    return coupon.used_count


def redemptions(store: FakeUnitOfWork | sa.Engine, coupon_id: int) -> list[CouponRedemption]:
    """The coupon's recorded redemptions, oldest first, read from under the port (no use
    case reads them back)."""
    if isinstance(store, FakeUnitOfWork):
        return [r for r in store.db.commerce.redemptions if r.coupon_id == coupon_id]
    table = coupon_redemptions
    query = sa.select(table).where(table.c.coupon_id == coupon_id).order_by(table.c.id)
    with store.connect() as connection:
        return [CouponRedemption(**row._asdict()) for row in connection.execute(query)]
