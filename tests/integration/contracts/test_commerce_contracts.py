"""Contracts of commerce: where SQL evaluates a commerce rule itself, it agrees with the domain.

Each property drives the same random rows through the domain function and through the SQL
statement, on PostgreSQL and on SQLite, inside a transaction that is rolled back.

- A coupon use is counted by a conditional increment (`used_count < max_uses`) so that
  concurrent claims never exceed `max_uses`: the SQL form of `Coupon.is_used_up`.
- Gift cards and payments change status behind guards on the statuses a move leaves: the
  SQL form of the moves `GiftCard.activate/redeem/revoke` and `Payment.mark_paid/mark_refunded`.
- The gift-card sweep expires every due card in one statement: the SQL form of
  `GiftCard.expire`.

The use case reads a row, the domain decides on what it read, and the guard applies the
decision to the row as it is by then. So each property lets the row move on between the read
and the write (other claims counted, a concurrent status change) and requires: a decision is
written exactly when the domain would make it on the row as it is, and the row then ends as
the domain leaves it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genmedia.adapters.sql.repositories import (
    SqlCouponRepository,
    SqlGiftCardRepository,
    SqlPaymentRepository,
    SqlUserRepository,
)
from genmedia.adapters.sql.tables import coupons, gift_cards, payments
from genmedia.domain.coupons import Coupon, DiscountType, used_up
from genmedia.domain.errors import DomainError
from genmedia.domain.gift_cards import GiftCard, GiftCardStatus
from genmedia.domain.purchases import Payment, PaymentProvider, PaymentStatus
from genmedia.domain.user import User

pytestmark = pytest.mark.integration

CONTRACT = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
near_now = st.integers(-2, 2).map(lambda minutes: NOW + minutes * MINUTE)


@contextmanager
def rolled_back(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection whose work is undone afterwards, so each example starts empty."""
    with engine.connect() as connection:
        try:
            yield connection
        finally:
            connection.rollback()


def moves(move: Callable[..., object], *args: object) -> bool:
    """Whether the domain makes a move: it neither refuses (raises) nor declines (False)."""
    try:
        return move(*args) is not False
    except DomainError:
        return False


def row(
    connection: sa.Connection, table: sa.Table, id_: int | None, *names: str
) -> tuple[Any, ...]:
    """The named columns of one row, as they are now."""
    columns = [table.c[name] for name in names]
    return tuple(connection.execute(sa.select(*columns).where(table.c.id == id_)).one())


def fields(obj: object, *names: str) -> tuple[Any, ...]:
    """The named fields of a domain object (its string enums equal their stored values)."""
    return tuple(getattr(obj, name) for name in names)


# Coupons ---------------------------------------------------------------------------------


@st.composite
def coupon_rows(draw: st.DrawFn) -> tuple[Coupon, int]:
    """A coupon as its row is now, and how many of its counted uses came after the read.

    Mostly active and within its window, and often at its last use, so that the counter is
    what decides; the other examples are refused for activity or the window.
    """
    max_uses = draw(st.none() | st.integers(1, 4))
    limits = range(7) if max_uses is None else [max_uses, *range(max_uses + 1)]
    used = draw(st.sampled_from(limits))
    valid_from = NOW + draw(st.integers(-3, 1)) * MINUTE
    until = draw(st.none() | st.integers(1, 6))
    coupon = Coupon(
        code="CONTRACT", discount_type=DiscountType.CREDITS, discount_value=5,
        max_uses=max_uses, used_count=used, valid_from=valid_from,
        valid_until=None if until is None else valid_from + until * MINUTE,
        is_active=draw(st.sampled_from([True, True, True, False])),
    )  # fmt: skip
    return coupon, draw(st.integers(0, used))


def claim(repository: SqlCouponRepository, read: Coupon, user_id: int) -> None:
    """What `record_use` does with a read coupon: the domain decides, the guard counts."""
    if not repository.claim_use(read.claim_use(user_id, NOW)):
        raise used_up(read)


@CONTRACT
@given(drawn=coupon_rows())
def test_a_coupon_use_is_counted_exactly_when_the_domain_allows_it_on_the_row(
    engine: sa.Engine, drawn: tuple[Coupon, int]
) -> None:
    current, counted_since = drawn
    with rolled_back(engine) as connection:
        repository = SqlCouponRepository(connection)
        repository.add(current)
        read = attrs.evolve(current, used_count=current.used_count - counted_since)
        allowed = moves(attrs.evolve(current).claim_use, 1, NOW)
        counted = moves(claim, repository, read, 1)
        (used_count,) = row(connection, coupons, current.id, "used_count")
    assert counted == allowed
    assert used_count == current.used_count + counted


# Gift cards ------------------------------------------------------------------------------

# Each move, by the name of the repository method that writes it.
CARD_MOVES: dict[str, Callable[[GiftCard, int], object]] = {
    "activate": lambda card, user: card.activate(),
    "redeem": lambda card, user: card.redeem(user, NOW),
    "revoke": lambda card, user: card.revoke(),
}
CARD_FIELDS = ("status", "redeemed_by", "redeemed_at")
card_statuses = st.sampled_from(GiftCardStatus)
expiries = st.none() | near_now


def card(code: str, status: GiftCardStatus, expires_at: datetime | None) -> GiftCard:
    """A card in `status`, redeemed an hour ago if that is its status."""
    redeemed = status is GiftCardStatus.REDEEMED
    return GiftCard.issue(
        code, purchaser_email="giver@example.com", credits=100, price=500, currency="XTR",
        status=status, expires_at=expires_at, redeemed_at=NOW - 60 * MINUTE if redeemed else None,
    )  # fmt: skip


def as_read(current: GiftCard, status: GiftCardStatus) -> GiftCard:
    """The card as a use case read it, before the row moved on to its current status."""
    redeemed_at = current.redeemed_at or NOW - 60 * MINUTE
    return attrs.evolve(
        current, status=status,
        redeemed_at=redeemed_at if status is GiftCardStatus.REDEEMED else None,
    )  # fmt: skip


@CONTRACT
@given(read_status=card_statuses, moved_on=st.none() | card_statuses, expires_at=expiries)
def test_a_gift_card_move_is_written_exactly_when_the_domain_makes_it_on_the_row(
    engine: sa.Engine,
    read_status: GiftCardStatus,
    moved_on: GiftCardStatus | None,
    expires_at: datetime | None,
) -> None:
    row_status = moved_on or read_status
    with rolled_back(engine) as connection:
        user = SqlUserRepository(connection).add(User(email="redeemer@example.com")).id or 0
        repository = SqlGiftCardRepository(connection)
        for act, move in CARD_MOVES.items():
            current = repository.add(card(f"CARD-{act}", row_status, expires_at))
            read, on_row = as_read(current, read_status), attrs.evolve(current)
            decided = moves(move, read, user)
            written = decided and getattr(repository, act)(read)
            allowed = moves(move, on_row, user)
            stored = row(connection, gift_cards, current.id, *CARD_FIELDS)
            assert written == (decided and allowed), act
            assert stored == fields(on_row if written else current, *CARD_FIELDS), act


@CONTRACT
@given(cards=st.lists(st.tuples(card_statuses, expiries), min_size=1, max_size=8))
def test_the_gift_card_sweep_expires_exactly_the_cards_the_domain_expires(
    engine: sa.Engine, cards: list[tuple[GiftCardStatus, datetime | None]]
) -> None:
    with rolled_back(engine) as connection:
        repository = SqlGiftCardRepository(connection)
        stored = [repository.add(card(f"CARD-{i}", *drawn)) for i, drawn in enumerate(cards)]
        expired = repository.expire_due(NOW)
        swept = [row(connection, gift_cards, c.id, "status")[0] for c in stored]
    domain = [attrs.evolve(c) for c in stored]
    assert expired == sum(moves(c.expire, NOW) for c in domain)
    assert swept == [c.status.value for c in domain]


# Payments --------------------------------------------------------------------------------

PAYMENT_MOVES: dict[str, Callable[[Payment], object]] = {
    "mark_paid": lambda p: p.mark_paid("ch_new", p.amount, p.currency, NOW),
    "mark_refunded": lambda p: p.mark_refunded(NOW),
}
PAYMENT_FIELDS = ("status", "charge_id", "paid_at", "refunded_at")
payment_statuses = st.sampled_from(PaymentStatus)


def payment(status: PaymentStatus, earlier_charge: str) -> Payment:
    """A payment in `status`, paid an hour ago by `earlier_charge` if it ever was."""
    was_paid = status in (PaymentStatus.PAID, PaymentStatus.REFUNDED)
    return Payment(
        provider=PaymentProvider.WEBHOOK, amount=500, currency="XTR", credits=100,
        status=status, charge_id=earlier_charge if was_paid else None,
        paid_at=NOW - 60 * MINUTE if was_paid else None,
        refunded_at=NOW - 30 * MINUTE if status is PaymentStatus.REFUNDED else None,
    )  # fmt: skip


@CONTRACT
@given(read_status=payment_statuses, moved_on=st.none() | payment_statuses)
def test_a_payment_change_is_written_exactly_when_the_domain_makes_it_on_the_row(
    engine: sa.Engine, read_status: PaymentStatus, moved_on: PaymentStatus | None
) -> None:
    with rolled_back(engine) as connection:
        repository = SqlPaymentRepository(connection)
        for act, move in PAYMENT_MOVES.items():
            current = repository.add(payment(moved_on or read_status, act))
            read = payment(read_status, act)
            read.stored_as(current.id or 0)
            on_row = attrs.evolve(current)
            decided = moves(move, read)
            written = decided and getattr(repository, act)(read)
            allowed = moves(move, on_row)
            stored = row(connection, payments, current.id, *PAYMENT_FIELDS)
            assert written == (decided and allowed), act
            assert stored == fields(on_row if written else current, *PAYMENT_FIELDS), act
