"""Concurrent wallet movements on PostgreSQL: the database settles every race."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import TypeVar

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.tables import wallet_transactions
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.identity.commands import CreateUser
from genmedia.application.identity.users import create_user
from genmedia.application.wallet.accounts import AdjustCredits, adjust_credits, expire_holds
from genmedia.application.wallet.holds import (
    CaptureHold,
    PlaceHold,
    capture_hold,
    place_hold,
    release_hold,
)
from genmedia.domain.errors import AlreadyUsed, InsufficientCredits
from genmedia.domain.user import User
from tests.fakes import FakeClock, FakeHasher
from tests.races import race

pytestmark = pytest.mark.integration
T = TypeVar("T")


@pytest.fixture
def engine(postgres_url: str) -> sa.Engine:
    from genmedia.adapters.sql.engine import create_engine

    engine = create_engine(postgres_url, pool_size=20)
    yield engine
    engine.dispose()


def new_user(engine: sa.Engine, name: str, credits: int) -> User:
    cmd = CreateUser(email=f"{name}-{id(engine)}-{threading.get_ident()}@race.example")
    uow = SqlUnitOfWork(engine)
    return create_user(
        cmd, uow=uow, hasher=FakeHasher(), clock=FakeClock(), welcome_credits=credits
    )


def ledger_sum(engine: sa.Engine, user_id: int) -> int:
    t = wallet_transactions
    with engine.connect() as connection:
        query = sa.select(sa.func.sum(t.c.balance_after - t.c.balance_before)).where(
            t.c.user_id == user_id
        )
        return int(connection.execute(query).scalar_one() or 0)


def wallet(engine: sa.Engine, user_id: int):  # type: ignore[no-untyped-def]
    with SqlUnitOfWork(engine) as uow:
        return uow.wallets.get(user_id)


def test_sixteen_reserves_on_a_wallet_covering_five_let_exactly_five_through(
    engine: sa.Engine,
) -> None:
    user = new_user(engine, "reserve", credits=100)
    cmd = PlaceHold(user_id=user.id or 0, amount=20, ttl=timedelta(hours=1))
    results = race(16, lambda _: place_hold(cmd, uow=SqlUnitOfWork(engine)))
    holds = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, InsufficientCredits)]
    assert (len(holds), len(refused)) == (5, 11)
    state = wallet(engine, user.id or 0)
    assert (state.balance, state.held) == (100, 100)
    assert ledger_sum(engine, user.id or 0) == state.balance

    captures = race(
        5,
        lambda i: capture_hold(
            CaptureHold(hold_id=holds[i].id or 0, amount=15), uow=SqlUnitOfWork(engine)
        ),
    )
    assert all(not isinstance(c, Exception) for c in captures)
    state = wallet(engine, user.id or 0)
    assert (state.balance, state.held, state.total_spent) == (25, 0, 75)
    assert ledger_sum(engine, user.id or 0) == 25


def test_a_hold_raced_by_capture_release_and_expiry_settles_exactly_once(engine: sa.Engine) -> None:
    user = new_user(engine, "settle", credits=50)
    hold = place_hold(
        PlaceHold(user_id=user.id or 0, amount=30, ttl=timedelta(seconds=-1)),
        uow=SqlUnitOfWork(engine),
    )
    actions = [
        lambda: capture_hold(
            CaptureHold(hold_id=hold.id or 0, amount=30), uow=SqlUnitOfWork(engine)
        ),
        lambda: release_hold(hold.id or 0, uow=SqlUnitOfWork(engine)),
        lambda: expire_holds(uow=SqlUnitOfWork(engine)),
    ]
    results = race(9, lambda i: actions[i % 3]())
    state = wallet(engine, user.id or 0)
    assert state.held == 0
    assert state.balance in (20, 50)
    captured = state.balance == 20
    assert sum(1 for r in results[0::3] if r is not None and not isinstance(r, Exception)) == (
        3 if captured else 0
    )
    assert all(isinstance(r, AlreadyUsed) for r in results[0::3]) != captured
    assert ledger_sum(engine, user.id or 0) == state.balance


def test_the_same_reference_posted_by_eight_threads_applies_once(engine: sa.Engine) -> None:
    user = new_user(engine, "replay", credits=10)
    cmd = AdjustCredits(
        user_id=user.id or 0, amount=7, reason="bonus", reference_id=f"race-{user.id}"
    )
    results = race(8, lambda _: adjust_credits(cmd, uow=SqlUnitOfWork(engine)))
    assert all(not isinstance(r, Exception) for r in results)
    assert len({r.id for r in results}) == 1  # type: ignore[union-attr]
    assert wallet(engine, user.id or 0).balance == 17
    assert ledger_sum(engine, user.id or 0) == 17
