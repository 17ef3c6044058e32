"""Coupons, gift cards and payment confirmations raced on PostgreSQL: the guards hold."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.engine import create_engine
from genmedia.adapters.sql.tables import wallet_transactions
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.commerce.gift_cards import buy_gift_card
from genmedia.application.commerce.purchases import confirm_payment, start_purchase
from genmedia.application.commerce.redemptions import redeem_code
from genmedia.domain.coupons import DiscountType
from genmedia.domain.wallet import EntryKind
from tests.commerce import (
    T0,
    add_buyer,
    add_coupon,
    add_pack,
    balance,
    paid,
    redemptions,
    used_count,
)
from tests.conftest import truncate_all
from tests.fakes import FakeClock

pytestmark = pytest.mark.integration

N = 5


@pytest.fixture
def engine(postgres_url: str) -> Iterator[sa.Engine]:
    """An emptied PostgreSQL database, with a pool big enough for every racer at once."""
    engine = create_engine(postgres_url, pool_size=4 * N + 2)
    truncate_all(engine)
    yield engine
    engine.dispose()


def _race(engine: sa.Engine, racers: list[Callable[[SqlUnitOfWork], object]]) -> Counter[str]:
    """Start every racer at once, each on its own unit of work; count outcomes by name."""
    barrier = threading.Barrier(len(racers), timeout=30)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(racer: Callable[[SqlUnitOfWork], object]) -> None:
        uow = SqlUnitOfWork(engine)
        barrier.wait()
        try:
            racer(uow)
            outcome = "ok"
        except Exception as error:  # every outcome is counted and asserted
            outcome = type(error).__name__
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(racer,)) for racer in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return Counter(outcomes)


def _entries(engine: sa.Engine, kind: EntryKind) -> int:
    query = sa.select(sa.func.count()).where(wallet_transactions.c.kind == kind.value)
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def test_a_coupon_raced_by_four_times_its_uses_is_redeemed_exactly_max_uses_times(
    engine: sa.Engine,
) -> None:
    uow, clock = SqlUnitOfWork(engine), FakeClock(T0)
    coupon = add_coupon(uow, "RACE", DiscountType.CREDITS, 10, max_uses=N)
    users = [add_buyer(uow, f"racer{i}@example.com") for i in range(4 * N)]

    def racer(user_id: int) -> Callable[[SqlUnitOfWork], object]:
        return lambda own: redeem_code(user_id, "race", uow=own, clock=clock)

    outcomes = _race(engine, [racer(u) for u in users])
    assert outcomes == Counter({"ok": N, "AlreadyUsed": 3 * N})
    assert used_count(uow, "RACE") == N
    assert len(redemptions(engine, coupon.id or 0)) == N
    assert _entries(engine, EntryKind.COUPON) == N
    assert sum(balance(uow, u) for u in users) == 10 * N


def test_a_gift_card_redeemed_by_eight_users_at_once_credits_exactly_one(
    engine: sa.Engine,
) -> None:
    uow, clock = SqlUnitOfWork(engine), FakeClock(T0)
    pack = add_pack(uow, credits=300, price=900)
    issued = buy_gift_card(pack.id or 0, "webhook", purchaser_email="a@b.co", uow=uow, clock=clock)
    confirm_payment(paid(issued.payment, "wh_1"), uow=uow, clock=clock)
    users = [add_buyer(uow, f"racer{i}@example.com") for i in range(8)]

    def racer(user_id: int) -> Callable[[SqlUnitOfWork], object]:
        return lambda own: redeem_code(user_id, issued.code, uow=own, clock=clock)

    outcomes = _race(engine, [racer(u) for u in users])
    assert outcomes == Counter({"ok": 1, "AlreadyUsed": 7})
    assert _entries(engine, EntryKind.GIFT_CARD) == 1
    assert sorted(balance(uow, u) for u in users) == [0] * 7 + [300]


def test_one_charge_delivered_eight_times_at_once_credits_once(engine: sa.Engine) -> None:
    uow, clock = SqlUnitOfWork(engine), FakeClock(T0)
    user, pack = add_buyer(uow), add_pack(uow, credits=100, price=500)
    payment = start_purchase(user, pack.id or 0, "telegram_stars", uow=uow, clock=clock)
    notice = paid(payment, "tg_race")

    outcomes = _race(
        engine, [lambda own: confirm_payment(notice, uow=own, clock=clock) for _ in range(8)]
    )
    assert outcomes == Counter({"ok": 8})
    assert _entries(engine, EntryKind.PURCHASE) == 1
    assert balance(uow, user) == 100
