"""Contracts: where SQL computes a wallet rule itself, it decides as the domain does.

Each property drives the same random inputs through the domain function and through the
SQL statement, on PostgreSQL and on SQLite (the `engine` fixture), and requires equal results:

- the capture of holds: `capture_holds` (LEAST) against `CreditHold.capture`;
- a batch of debits: `post_debits` against `Wallet.apply(Movement.post(…))` and
  `plan_consumption`;
- lot order: the ORDER BY of `take_from_first_lot` against `CreditLot.sort_key`;
- wallet totals: the guarded `move` against `Wallet.apply` and `Wallet.refusal`.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genmedia.adapters.sql.repositories.wallet import statements as q
from genmedia.adapters.sql.repositories.wallet.rows import lot_from_row
from genmedia.adapters.sql.tables import (
    credit_lots,
    generation_features,
    generation_jobs,
    generation_requests,
    wallets,
)
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.ports import UnitOfWork
from genmedia.domain.errors import DomainError, InsufficientCredits
from genmedia.domain.holds import CreditHold
from genmedia.domain.lots import CreditLot, LotCategory, plan_consumption
from genmedia.domain.user import User
from genmedia.domain.wallet import EntryKind, EntryType, LedgerEntry, Movement, Posting, Wallet

pytestmark = pytest.mark.integration

CONTRACT = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)
serial = itertools.count(1)


def new_user(engine: sa.Engine) -> int:
    """A committed user of this example's own."""
    with SqlUnitOfWork(engine) as uow:
        user = uow.users.add(User(email=f"contract{next(serial)}@example.com"))
        uow.commit()
    return user.id or 0


def open_wallet(engine: sa.Engine, wallet: Wallet, lots: list[dict[str, Any]]) -> list[CreditLot]:
    """Store the wallet as given and these lots of it; the lots as stored, in order."""
    columns = attrs.asdict(wallet)
    rows = [
        {"user_id": wallet.user_id, "reference_id": f"lot:{next(serial)}", **lot} for lot in lots
    ]
    with engine.begin() as connection:
        connection.execute(sa.insert(wallets).values(**columns))
        for row in rows:
            connection.execute(sa.insert(credit_lots).values(**row))
    return lots_of(engine, wallet.user_id)


def lots_of(engine: sa.Engine, user_id: int) -> list[CreditLot]:
    """The user's lots as stored, in id order."""
    query = sa.select(credit_lots).where(credit_lots.c.user_id == user_id)
    with engine.connect() as connection:
        return [lot_from_row(row) for row in connection.execute(query.order_by(credit_lots.c.id))]


def stored(engine: sa.Engine, user_id: int) -> tuple[Wallet, list[LedgerEntry]]:
    """The wallet and its entries as stored (oldest first), without the store's ids."""
    with SqlUnitOfWork(engine) as uow:
        wallet = uow.wallets.get(user_id)
        entries = uow.wallets.entries(user_id, limit=100)
    return wallet, [attrs.evolve(e, id=None, created_at=None) for e in reversed(entries)]


def state(wallet: Wallet) -> tuple[int, int, int, int]:
    """What a wallet holds."""
    return (wallet.balance, wallet.held, wallet.total_spent, wallet.total_bought)


def refused(error: DomainError) -> tuple[str, str]:
    """A refusal, by kind and message (which names the credits needed and available)."""
    return (type(error).__name__, str(error))


def in_sql(engine: sa.Engine, act: Callable[[UnitOfWork], object]) -> tuple[str, str] | None:
    """Run `act` in a unit of work and commit; its refusal, or None."""
    try:
        with SqlUnitOfWork(engine) as uow:
            act(uow)
            uow.commit()
    except DomainError as error:
        return refused(error)
    return None


def in_domain(wallet: Wallet, movement: Movement) -> tuple[tuple[str, str] | None, list[Any]]:
    """The domain's refusal of the movement, or None and the entries it appends."""
    try:
        return None, wallet.apply(movement)
    except DomainError as error:
        return refused(error), []


def posting(kind: EntryKind, type: EntryType, amount: int) -> Posting:
    """A posting under a reference of its own."""
    return Posting(reference_id=f"contract:{next(serial)}", type=type, kind=kind, amount=amount)


# --- wallet totals and the guard -----------------------------------------------------------

balances = st.integers(0, 60)


@st.composite
def wallet_states(draw: st.DrawFn) -> Wallet:
    """A wallet in any state its invariants allow."""
    balance = draw(balances)
    return Wallet(
        user_id=0,
        balance=balance,
        held=draw(st.integers(0, balance)),
        total_spent=draw(st.integers(0, 50)),
        total_bought=draw(st.integers(0, 50)),
    )


acts = st.one_of(
    st.tuples(st.just("reserve"), st.integers(1, 70)),
    st.tuples(st.just("release"), st.integers(1, 70)),
    st.tuples(
        st.just("post"),
        st.tuples(st.sampled_from(EntryKind), st.sampled_from(EntryType), st.integers(1, 70)),
    ),
)


@CONTRACT
@given(start=wallet_states(), act=acts)
def test_every_movement_leaves_the_stored_wallet_as_the_domain_wallet(
    engine: sa.Engine, start: Wallet, act: tuple[str, Any]
) -> None:
    user_id = new_user(engine)
    start.user_id = user_id
    lot = {"category": "admin", "amount": start.balance, "remaining": start.balance}
    open_wallet(engine, start, [lot] if start.balance else [])
    name, value = act
    entry = posting(*value) if name == "post" else None
    movement = Movement.post([entry]) if entry else getattr(Movement, name)(value)

    def sql(uow: UnitOfWork) -> object:
        if entry:
            return uow.wallets.post(user_id, entry)
        return getattr(uow.wallets, name)(user_id, value)

    wallet = copy.copy(start)
    refusal, entries = in_domain(wallet, movement)
    assert in_sql(engine, sql) == refusal
    after, stored_entries = stored(engine, user_id)
    assert state(after) == state(wallet)
    assert stored_entries == entries


# --- a batch of debits ---------------------------------------------------------------------

expiries = st.sampled_from([None, T0, T0 + DAY, T0 + 2 * DAY])
created = st.sampled_from([T0 - 3 * DAY, T0 - 2 * DAY, T0 - DAY])


def lots(remaining: st.SearchStrategy[int]) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Lots in any order, with ties in every term of the consumption order."""
    lot = st.fixed_dictionaries(
        {
            "priority": st.integers(0, 2),
            "expires_at": expiries,
            "category": st.sampled_from([c.value for c in LotCategory]),
            "created_at": created,
            "remaining": remaining,
        }
    ).map(lambda lot: {**lot, "amount": max(lot["remaining"], 1)})
    return st.lists(lot, min_size=1, max_size=6)


debit_kinds = st.sampled_from(
    [EntryKind.GENERATION, EntryKind.EDIT, EntryKind.TRAINING, EntryKind.EXPIRY]
)


@CONTRACT
@given(
    given_lots=lots(st.integers(1, 20)),
    debits=st.lists(st.tuples(debit_kinds, st.integers(1, 25)), min_size=1, max_size=5),
    shares=st.tuples(st.floats(0, 1), st.floats(0, 1)),
)
def test_a_batch_of_debits_posts_what_the_domain_posts_and_draws_on_the_lots_it_plans(
    engine: sa.Engine,
    given_lots: list[dict[str, Any]],
    debits: list[tuple[EntryKind, int]],
    shares: tuple[float, float],
) -> None:
    user_id = new_user(engine)
    balance = sum(lot["remaining"] for lot in given_lots)
    held = int(balance * shares[0])
    start = Wallet(user_id=user_id, balance=balance, held=held, total_spent=3, total_bought=5)
    before = open_wallet(engine, start, given_lots)
    postings = [posting(kind, EntryType.DEBIT, amount) for kind, amount in debits]
    movement = Movement.post(postings, release=int(held * shares[1]))

    wallet = copy.copy(start)
    refusal, entries = in_domain(wallet, movement)
    remaining = {lot.id: lot.remaining for lot in before}
    if refusal is None:
        for lot, take in plan_consumption(copy.deepcopy(before), -movement.delta):
            remaining[lot.id] -= take
    returned: list[LedgerEntry] = []

    def post(uow: UnitOfWork) -> None:
        returned.extend(uow.wallets.post_all(user_id, postings, release=movement.freed))

    assert in_sql(engine, post) == refusal
    after, stored_entries = stored(engine, user_id)
    assert state(after) == state(wallet)
    assert stored_entries == entries
    assert [attrs.evolve(e, id=None, created_at=None) for e in returned] == entries
    assert {lot.id: lot.remaining for lot in lots_of(engine, user_id)} == remaining


# --- lot order -----------------------------------------------------------------------------


@CONTRACT
@given(given_lots=lots(st.integers(0, 3)))
def test_the_first_lot_in_sql_is_the_first_lot_in_the_domains_consumption_order(
    engine: sa.Engine, given_lots: list[dict[str, Any]]
) -> None:
    user_id = new_user(engine)
    balance = sum(lot["remaining"] for lot in given_lots)
    before = open_wallet(engine, Wallet(user_id=user_id, balance=balance), given_lots)
    try:
        [(first, _)] = plan_consumption(copy.deepcopy(before), 1)
        expected: int | None = first.id
    except InsufficientCredits:
        expected = None

    with engine.begin() as connection:
        connection.execute(q.take_from_first_lot(), {"u": user_id, "take": 1})
    after = {lot.id: lot.remaining for lot in lots_of(engine, user_id)}
    taken = [lot.id for lot in before if after[lot.id] != lot.remaining]
    assert taken == ([expected] if expected is not None else [])


# --- capture -------------------------------------------------------------------------------

holds = st.lists(
    st.tuples(
        st.sampled_from(["none", "pending", "pending", "released", "captured"]),
        st.integers(1, 20),
        st.integers(0, 25),
    ),
    min_size=1,
    max_size=6,
)


def add_jobs(engine: sa.Engine, user_id: int, count: int) -> list[int]:
    """A request of `count` jobs; their ids."""
    with engine.begin() as connection:
        run = connection.execute
        feature = run(
            sa.insert(generation_features)
            .values(name=f"contract{next(serial)}", category="image")
            .returning(generation_features.c.id)
        ).scalar_one()
        request = run(
            sa.insert(generation_requests)
            .values(user_id=user_id, feature_id=feature, user_prompt="p", final_prompt="p")
            .returning(generation_requests.c.id)
        ).scalar_one()
        job = {"request_id": request, "user_id": user_id, "feature_id": feature}
        return [
            run(
                sa.insert(generation_jobs)
                .values(**job, category="image", job_index=i, input_json={})
                .returning(generation_jobs.c.id)
            ).scalar_one()
            for i in range(count)
        ]


@CONTRACT
@given(given_holds=holds)
def test_capturing_holds_in_sql_settles_them_as_the_domains_capture(
    engine: sa.Engine, given_holds: list[tuple[str, int, int]]
) -> None:
    user_id = new_user(engine)
    jobs = add_jobs(engine, user_id, len(given_holds))
    held = [(job, *h) for job, h in zip(jobs, given_holds, strict=True) if h[0] != "none"]
    placed = [
        CreditHold(user_id=user_id, job_id=job, amount=amount, expires_at=T0)
        for job, _, amount, _ in held
    ]
    with SqlUnitOfWork(engine) as uow:
        uow.holds.add_all(placed)
        for hold, (_, status, _, cost) in zip(placed, held, strict=True):
            if status == "released":
                hold.release(T0)
                uow.holds.settle(hold)
            elif status == "captured":
                hold.capture(cost, T0)
                uow.holds.settle(hold)
        uow.commit()
    costs = {job: cost for job, (_, _, cost) in zip(jobs, given_holds, strict=True)}
    now = T0 + DAY

    expected = {}
    for hold in copy.deepcopy(placed):
        if hold.status.value == "pending":
            hold.capture(costs[hold.job_id or 0], now)
            expected[hold.job_id] = hold
    with SqlUnitOfWork(engine) as uow:
        captured = uow.holds.capture_for_jobs(costs, now)
        uow.commit()

    def settled(hold: CreditHold) -> tuple[object, ...]:
        return (hold.id, hold.status, hold.amount, hold.captured, hold.settled_at)

    assert {job: settled(h) for job, h in captured.items()} == {
        job: settled(h) for job, h in expected.items()
    }
    with SqlUnitOfWork(engine) as uow:
        now_stored = {job: uow.holds.for_job(job) for job in expected}
    assert {job: settled(h) for job, h in now_stored.items() if h} == {
        job: settled(h) for job, h in expected.items()
    }
