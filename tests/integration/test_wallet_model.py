"""A wallet driven through random sequences of movements, checked against a simple model.

The machine runs the real use cases on a real database (SQLite here, PostgreSQL in the
subclass), so the guarded SQL is what is tested, not a fake.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import ClassVar

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from genmedia.adapters.sql.tables import credit_holds, credit_lots, wallet_transactions
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.commerce.purchases import confirm_payment, start_purchase
from genmedia.application.commerce.redemptions import redeem_code
from genmedia.application.commerce.refunds import refund_purchase
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
from genmedia.domain import postings
from genmedia.domain.coupons import DiscountType
from genmedia.domain.errors import AlreadyUsed, IdempotencyConflict, InsufficientCredits
from genmedia.domain.purchases import PaymentNotification
from genmedia.domain.wallet import EntryKind, Posting
from tests.commerce import T0, add_coupon, add_pack, paid
from tests.fakes import FakeClock, FakeHasher

pytestmark = pytest.mark.integration
LIVE, EXPIRED = timedelta(hours=1), timedelta(seconds=-5)
serial = itertools.count(1)
CLOCK = FakeClock(T0)


class WalletMachine(RuleBasedStateMachine):
    """Reserve, capture, release, expire, grant, refund, redeem and replay on one wallet."""

    engine: ClassVar[sa.Engine]
    holds = Bundle("holds")
    grants = Bundle("grants")
    purchases = Bundle("purchases")

    def __init__(self) -> None:
        super().__init__()
        n = next(serial)
        self.user = create_user(
            CreateUser(email=f"model{n}-{id(self)}@example.com"),
            uow=self.uow(), hasher=FakeHasher(), clock=FakeClock(), welcome_credits=50,
        )  # fmt: skip
        self.balance, self.held = 50, 0
        self.pack = add_pack(self.uow(), f"Model pack {n}-{id(self)}", credits=40, price=100)
        self.pending: dict[int, tuple[int, bool]] = {}
        self.captured: set[int] = set()
        self.postings: list[Posting] = []

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)

    @rule(target=holds, amount=st.integers(1, 40), expired=st.booleans())
    def reserve(self, amount: int, expired: bool) -> int:
        cmd = PlaceHold(user_id=self.user.id or 0, amount=amount, ttl=EXPIRED if expired else LIVE)
        if amount > self.balance - self.held:
            with pytest.raises(InsufficientCredits):
                place_hold(cmd, uow=self.uow())
            return -1
        hold = place_hold(cmd, uow=self.uow())
        self.held += amount
        self.pending[hold.id or 0] = (amount, expired)
        return hold.id or 0

    @rule(hold_id=holds, amount=st.integers(0, 45))
    def capture(self, hold_id: int, amount: int) -> None:
        if hold_id < 0:
            return
        cmd = CaptureHold(hold_id=hold_id, amount=amount)
        if hold_id in self.pending:
            held, _ = self.pending.pop(hold_id)
            entry = capture_hold(cmd, uow=self.uow())
            taken = min(amount, held)
            assert (entry.amount if entry else 0) == taken
            self.balance -= taken
            self.held -= held
            self.captured.add(hold_id)
        elif hold_id in self.captured:
            capture_hold(cmd, uow=self.uow())
        else:
            with pytest.raises(AlreadyUsed):
                capture_hold(cmd, uow=self.uow())

    @rule(hold_id=consumes(holds))
    def release(self, hold_id: int) -> None:
        if hold_id < 0:
            return
        released = release_hold(hold_id, uow=self.uow())
        assert released == (hold_id in self.pending)
        if released:
            self.held -= self.pending.pop(hold_id)[0]

    @rule()
    def expire(self) -> None:
        due = {h: a for h, (a, expired) in self.pending.items() if expired}
        expire_holds(uow=self.uow())
        for hold_id, amount in due.items():
            del self.pending[hold_id]
            self.held -= amount

    @rule(target=grants, amount=st.integers(1, 60))
    def grant(self, amount: int) -> str:
        """An admin grant; its posting can be replayed below."""
        reference, user_id = f"model-grant-{next(serial)}", self.user.id or 0
        self.postings.append(postings.admin_adjustment(user_id, reference, amount, "grant"))
        adjust_credits(
            AdjustCredits(
                user_id=self.user.id or 0, amount=amount, reason="grant", reference_id=reference
            ),
            uow=self.uow(),
        )
        self.balance += amount
        return postings.admin_reference(user_id, reference)

    @rule(target=purchases)
    def buy(self) -> PaymentNotification:
        payment = start_purchase(
            self.user.id or 0, self.pack.id or 0, "webhook", uow=self.uow(), clock=CLOCK
        )
        notice = paid(payment, charge_id=f"ch_{next(serial)}")
        confirm_payment(notice, uow=self.uow(), clock=CLOCK)
        self.balance += self.pack.credits
        return notice

    @rule(notice=purchases)
    def replay_purchase(self, notice: PaymentNotification) -> None:
        confirm_payment(notice, uow=self.uow(), clock=CLOCK)

    @rule(notice=consumes(purchases))
    def refund(self, notice: PaymentNotification) -> None:
        with self.uow() as uow:
            lot = uow.wallets.lot(f"payment:{notice.provider.value}:{notice.charge_id}")
            available = uow.wallets.get(self.user.id or 0).available
        assert lot is not None
        refund_purchase(notice.provider.value, notice.charge_id, uow=self.uow(), clock=CLOCK)
        refund_purchase(notice.provider.value, notice.charge_id, uow=self.uow(), clock=CLOCK)
        with self.uow() as uow:
            entries = [
                e for e in uow.wallets.entries(self.user.id or 0, 500) if e.kind is EntryKind.REFUND
            ]
        taken = sum(e.amount for e in entries if notice.charge_id in e.reference_id)
        assert taken <= min(lot.remaining, available)
        self.balance -= taken

    @rule(amount=st.integers(1, 30))
    def redeem(self, amount: int) -> None:
        code = f"MODEL{next(serial)}"
        add_coupon(self.uow(), code, DiscountType.CREDITS, amount)
        redeemed = redeem_code(self.user.id or 0, code, uow=self.uow(), clock=CLOCK)
        assert redeemed.credits_awarded == amount
        with pytest.raises(AlreadyUsed):
            redeem_code(self.user.id or 0, code, uow=self.uow(), clock=CLOCK)
        self.balance += amount

    @rule(data=st.data(), changed=st.booleans())
    def replay(self, data: st.DataObject, changed: bool) -> None:
        if not self.postings:
            return
        posting = data.draw(st.sampled_from(self.postings))
        if not changed:
            self._post(posting)
            return
        other = Posting(
            reference_id=posting.reference_id, type=posting.type, kind=posting.kind,
            amount=posting.amount + 1, reason=posting.reason,
        )  # fmt: skip
        with pytest.raises(IdempotencyConflict):
            self._post(other)

    def _post(self, posting: Posting) -> None:
        with self.uow() as uow:
            uow.wallets.post(self.user.id or 0, posting)
            uow.commit()

    @invariant()
    def the_database_agrees_with_the_model(self) -> None:
        user_id = self.user.id or 0
        with self.engine.connect() as connection:
            wallet = SqlUnitOfWork(self.engine)
            with wallet as uow:
                state = uow.wallets.get(user_id)
            entries = connection.execute(
                sa.select(wallet_transactions)
                .where(wallet_transactions.c.user_id == user_id)
                .order_by(wallet_transactions.c.id)
            ).all()
            lots_left = connection.execute(
                sa.select(sa.func.coalesce(sa.func.sum(credit_lots.c.remaining), 0)).where(
                    credit_lots.c.user_id == user_id
                )
            ).scalar_one()
            pending = connection.execute(
                sa.select(sa.func.coalesce(sa.func.sum(credit_holds.c.amount), 0)).where(
                    credit_holds.c.user_id == user_id, credit_holds.c.status == "pending"
                )
            ).scalar_one()
        assert state.balance >= 0
        assert 0 <= state.held <= state.balance
        assert (state.balance, state.held) == (self.balance, self.held)
        assert sum(e.balance_after - e.balance_before for e in entries) == state.balance
        assert all(a.balance_after == b.balance_before for a, b in itertools.pairwise(entries))
        assert len({e.reference_id for e in entries}) == len(entries)
        assert lots_left == state.balance
        assert pending == state.held


MACHINE_SETTINGS = settings(
    max_examples=15, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)  # fmt: skip


@pytest.fixture
def sqlite_machine(sqlite_url: str) -> type[WalletMachine]:
    from genmedia.adapters.sql.engine import create_engine

    WalletMachine.engine = create_engine(sqlite_url)
    return WalletMachine


def test_the_wallet_keeps_its_invariants_on_sqlite(sqlite_machine: type[WalletMachine]) -> None:
    sqlite_machine.TestCase.settings = MACHINE_SETTINGS
    sqlite_machine.TestCase().runTest()
    assert ledger_rows(sqlite_machine.engine) > 0  # the machine really moved credits
    sqlite_machine.engine.dispose()


def test_the_wallet_keeps_its_invariants_on_postgresql(postgres_engine: sa.Engine) -> None:
    WalletMachine.engine = postgres_engine
    WalletMachine.TestCase.settings = MACHINE_SETTINGS
    WalletMachine.TestCase().runTest()
    assert ledger_rows(postgres_engine) > 0  # the machine really moved credits


def ledger_rows(engine: sa.Engine) -> int:
    """How many ledger entries the machines wrote."""
    with engine.connect() as connection:
        return int(
            connection.execute(
                sa.select(sa.func.count()).select_from(wallet_transactions)
            ).scalar_one()
        )
