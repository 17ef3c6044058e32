"""The SQL hold and wallet repositories: holds in batches, debits drawn on lots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.domain.errors import AlreadyExists, InsufficientCredits
from genmedia.domain.holds import CreditHold
from genmedia.domain.wallet import EntryKind, EntryType, Links, Posting, Wallet
from tests.integration.sql.helpers import HOUR, NOW, _add_request, _owner, _waits_until

pytestmark = pytest.mark.integration


def test_a_requests_holds_are_inserted_together_and_a_repeat_inserts_none(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0, 0, 0))
    a, b, c = (j.id or 0 for j in request.jobs)

    def hold(job_id: int, amount: int) -> CreditHold:
        return CreditHold(
            user_id=owner[0], request_id=request.id, job_id=job_id, amount=amount, expires_at=NOW
        )

    first = [hold(a, 3), hold(b, 4)]
    with SqlUnitOfWork(engine) as uow:
        uow.holds.add_all(first)
        uow.commit()
    assert all(h.id is not None for h in first)
    with SqlUnitOfWork(engine) as uow:
        assert [(h.job_id, h.amount) for h in map(uow.holds.get, (h.id or 0 for h in first))] == [
            (a, 3),
            (b, 4),
        ]
    with SqlUnitOfWork(engine) as uow, pytest.raises(AlreadyExists):
        uow.holds.add_all([hold(c, 5), hold(b, 6)])
    with SqlUnitOfWork(engine) as uow:
        assert uow.holds.for_job(c) is None
        assert uow.holds.get(first[1].id or 0).amount == 4


def test_holds_settled_together_write_only_those_still_pending(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0, 0, 0))
    ids = [j.id or 0 for j in request.jobs]
    holds = [
        CreditHold(user_id=owner[0], request_id=request.id, job_id=i, amount=4, expires_at=NOW)
        for i in ids
    ]
    with SqlUnitOfWork(engine) as uow:
        uow.holds.add_all(holds)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        released = uow.holds.get(holds[2].id or 0)
        released.release(NOW)
        assert uow.holds.settle(released)
        uow.commit()
    holds[0].capture(3, NOW)
    holds[1].capture(4, NOW + HOUR)
    holds[2].capture(4, NOW)
    with SqlUnitOfWork(engine) as uow:
        assert uow.holds.settle_all(holds) == 2
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        stored = [uow.holds.get(h.id or 0) for h in holds]
    assert [(h.status.value, h.captured, h.settled_at) for h in stored] == [
        ("captured", 3, NOW),
        ("captured", 4, NOW + HOUR),
        ("released", 0, NOW),
    ]


def test_capturing_holds_for_jobs_writes_what_the_domain_capture_would(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0, 0, 0, 0, 0))
    ids = [j.id or 0 for j in request.jobs]
    amounts = {ids[0]: 4, ids[1]: 4, ids[2]: 2, ids[3]: 4}  # ids[4] has no hold
    holds = [
        CreditHold(user_id=owner[0], request_id=request.id, job_id=job, amount=a, expires_at=NOW)
        for job, a in amounts.items()
    ]
    with SqlUnitOfWork(engine) as uow:
        uow.holds.add_all(holds)
        released = uow.holds.get(holds[3].id or 0)
        released.release(NOW)
        assert uow.holds.settle(released)
        uow.commit()
    costs = {ids[0]: 4, ids[1]: 3, ids[2]: 5, ids[3]: 4, ids[4]: 4}
    later = NOW + HOUR
    with SqlUnitOfWork(engine) as uow:
        captured = uow.holds.capture_for_jobs(costs, later)
        uow.commit()
    for hold in holds[:3]:  # what the domain does with the same holds
        hold.capture(min(costs[hold.job_id or 0], hold.amount), later)

    def settled(hold: CreditHold) -> dict[str, Any]:
        return attrs.asdict(hold, filter=lambda field, _: field.name != "created_at")

    assert {job: settled(h) for job, h in captured.items()} == {
        h.job_id: settled(h) for h in holds[:3]
    }
    with SqlUnitOfWork(engine) as uow:
        stored = {job: uow.holds.for_job(job) for job in ids[:4]}
    assert {job: (h.status.value, h.captured, h.settled_at) for job, h in stored.items() if h} == {
        ids[0]: ("captured", 4, later),
        ids[1]: ("captured", 3, later),
        ids[2]: ("captured", 2, later),
        ids[3]: ("released", 0, NOW),
    }
    for job in captured:
        assert attrs.asdict(captured[job]) == attrs.asdict(stored[job])
    with SqlUnitOfWork(engine) as uow:
        assert uow.holds.capture_for_jobs(costs, later) == {}


def _debit(n: int, amount: int) -> Posting:
    return Posting(
        reference_id=f"job:{n}:capture",
        type=EntryType.DEBIT,
        kind=EntryKind.GENERATION,
        amount=amount,
        reason=f"job {n}",
        links=Links(job_id=n),
    )


def test_debits_posted_together_are_entries_of_their_own_in_the_order_given(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    user_id = owner[0]
    grant = Posting(reference_id="grant:1", type=EntryType.CREDIT, kind=EntryKind.BONUS, amount=50)
    debits = [_debit(n, amount) for n, amount in enumerate([7, 3, 11], start=1)]
    with SqlUnitOfWork(engine) as uow:
        uow.wallets.add(Wallet(user_id=user_id))
        uow.wallets.post(user_id, grant)
        entries = uow.wallets.post_all(user_id, debits)
        uow.commit()
    assert [(e.balance_before, e.balance_after) for e in entries] == [(50, 43), (43, 40), (40, 29)]
    with SqlUnitOfWork(engine) as uow:
        stored = [uow.wallets.entry(p.reference_id) for p in debits]
        assert uow.wallets.get(user_id).balance == 29
    assert stored == entries
    assert [e.links.job_id for e in entries] == [1, 2, 3]


def test_debits_posted_together_draw_on_lots_in_order_when_the_first_does_not_cover_them(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    user_id = owner[0]
    grants = [
        Posting(reference_id=f"grant:{n}", type=EntryType.CREDIT, kind=EntryKind.BONUS, amount=a)
        for n, a in enumerate([5, 30], start=1)
    ]
    with SqlUnitOfWork(engine) as uow:
        uow.wallets.add(Wallet(user_id=user_id))
        for grant in grants:
            uow.wallets.post(user_id, grant)
        uow.wallets.reserve(user_id, 12)
        entries = uow.wallets.post_all(user_id, [_debit(1, 4), _debit(2, 8)], release=12)
        uow.commit()
    assert [(e.balance_before, e.balance_after) for e in entries] == [(35, 31), (31, 23)]
    with SqlUnitOfWork(engine) as uow:
        wallet = uow.wallets.get(user_id)
        lots = [uow.wallets.lot(grant.reference_id) for grant in grants]
        stored = [uow.wallets.entry(f"job:{n}:capture") for n in (1, 2)]
    assert (wallet.balance, wallet.held, wallet.total_spent) == (23, 0, 12)
    assert [lot.remaining for lot in lots if lot is not None] == [0, 23]
    assert stored == entries
    assert [(e.links.job_id, e.reason) for e in entries] == [(1, "job 1"), (2, "job 2")]


def test_debits_waiting_for_the_wallet_draw_on_a_lot_added_while_they_waited(
    clean_postgres_engine: sa.Engine,
) -> None:
    engine = clean_postgres_engine
    user_id = _owner(engine)[0]
    paid = Posting(reference_id="grant:1", type=EntryType.CREDIT, kind=EntryKind.BONUS, amount=50)
    promo = Posting(reference_id="grant:2", type=EntryType.CREDIT, kind=EntryKind.BONUS, amount=20)
    with SqlUnitOfWork(engine) as uow:
        uow.wallets.add(Wallet(user_id=user_id))
        uow.wallets.post(user_id, paid)
        uow.commit()
    granting, debiting = SqlUnitOfWork(engine), SqlUnitOfWork(engine)
    with granting:
        # An expiring lot is drawn on before one that never expires.
        granting.wallets.post(user_id, promo, lot_expires_at=datetime.now(UTC) + timedelta(days=30))

        def debit() -> None:
            with debiting:
                debiting.wallets.post_all(user_id, [_debit(1, 8)])
                debiting.commit()

        _waits_until(granting.commit, debit, "the debit should wait for the wallet row")
    with SqlUnitOfWork(engine) as uow:
        lots = [uow.wallets.lot(grant.reference_id) for grant in (paid, promo)]
        assert uow.wallets.get(user_id).balance == 62
    assert [lot.remaining for lot in lots if lot is not None] == [50, 12]


def test_debits_the_wallet_cannot_cover_are_refused_and_write_nothing(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    user_id = owner[0]
    grant = Posting(reference_id="grant:1", type=EntryType.CREDIT, kind=EntryKind.BONUS, amount=10)
    with SqlUnitOfWork(engine) as uow:
        uow.wallets.add(Wallet(user_id=user_id))
        uow.wallets.post(user_id, grant)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        with pytest.raises(InsufficientCredits):
            uow.wallets.post_all(user_id, [_debit(1, 6), _debit(2, 6)])
        assert uow.wallets.entries(user_id) == [uow.wallets.entry("grant:1")]
        assert uow.wallets.get(user_id).balance == 10
        lot = uow.wallets.lot("grant:1")
    assert lot is not None
    assert lot.remaining == 10
