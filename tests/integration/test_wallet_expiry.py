"""The expiry sweepers on a real database: lots past their expiry, holds nothing settled."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.identity.commands import CreateUser
from genmedia.application.identity.users import create_user
from genmedia.application.wallet.accounts import expire_lots
from genmedia.domain.wallet import EntryKind, EntryType, Posting
from tests.fakes import FakeClock, FakeHasher

pytestmark = pytest.mark.integration


def test_an_expired_lot_is_taken_back_from_that_lot_as_far_as_it_is_not_held(
    engine: sa.Engine,
) -> None:
    user = create_user(
        CreateUser(email="expiry@example.com"),
        uow=SqlUnitOfWork(engine), hasher=FakeHasher(), clock=FakeClock(), welcome_credits=100,
    )  # fmt: skip
    user_id = user.id or 0
    promo = Posting(reference_id="bonus:1", type=EntryType.CREDIT, kind=EntryKind.BONUS, amount=30)
    with SqlUnitOfWork(engine) as uow:
        expired_at = uow.wallets.now() - timedelta(seconds=1)
        uow.wallets.post(user_id, promo, lot_expires_at=expired_at)
        uow.wallets.reserve(user_id, 120)
        uow.commit()

    assert expire_lots(uow=SqlUnitOfWork(engine)) == 1
    assert expire_lots(uow=SqlUnitOfWork(engine)) == 0
    with SqlUnitOfWork(engine) as uow:
        wallet = uow.wallets.get(user_id)
        lots = [uow.wallets.lot(reference) for reference in ("bonus:1", f"welcome:{user_id}")]
        [entry] = uow.wallets.entries(user_id, limit=1)
    assert (wallet.balance, wallet.held) == (120, 120)
    assert [lot.remaining for lot in lots if lot] == [20, 100]
    assert lots[0] is not None
    assert (entry.kind, entry.amount, entry.reference_id) == (
        EntryKind.EXPIRY, 10, f"expire:lot:{lots[0].id}:30",
    )  # fmt: skip
