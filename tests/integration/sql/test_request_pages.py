"""A user's requests and ledger in SQL: pages, status filter, owner checks, soft delete."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.catalog.seeding import seed_catalog
from genmedia.application.commerce.purchases import confirm_payment, start_purchase
from genmedia.application.commerce.refunds import refund_purchase
from genmedia.application.generation.commands import CancelRequest, DeleteRequest, SubmitRequest
from genmedia.application.generation.queries import list_requests, request_of
from genmedia.application.generation.requests import (
    cancel_request,
    delete_request,
    submit_request,
)
from genmedia.application.identity.commands import CreateUser
from genmedia.application.identity.users import create_user
from genmedia.application.wallet.accounts import ledger_of, wallet_of
from genmedia.domain.errors import NotFound
from genmedia.domain.holds import HoldStatus
from genmedia.domain.purchases import PaymentProvider
from genmedia.domain.status import Status
from genmedia.domain.wallet import EntryStatus
from tests.commerce import add_pack, paid
from tests.fakes import FakeClock, FakeHasher
from tests.integration.sql.helpers import NOW

pytestmark = pytest.mark.integration


@pytest.fixture
def users(engine: sa.Engine) -> tuple[int, int]:
    """Two users with their welcome credits, on the sample catalog."""
    clock, hasher = FakeClock(NOW), FakeHasher()
    seed_catalog(uow=SqlUnitOfWork(engine), hasher=hasher, clock=clock, admin_email="a@x.org")
    made = [
        create_user(CreateUser(email=email), uow=SqlUnitOfWork(engine), hasher=hasher, clock=clock)
        for email in ("ann@example.com", "bob@example.com")
    ]
    return made[0].id or 0, made[1].id or 0


def _submit(engine: sa.Engine, user_id: int, batch: int = 1) -> int:
    cmd = SubmitRequest(
        user_id=user_id,
        template="neon-city",
        user_prompt="rain",
        input_metadata={"batch_size": batch},
    )
    return submit_request(cmd, uow=SqlUnitOfWork(engine), clock=FakeClock(NOW)).id or 0


def test_a_user_pages_through_their_own_live_requests_by_status(
    engine: sa.Engine, users: tuple[int, int]
) -> None:
    ann, bob = users
    mine = [_submit(engine, ann) for _ in range(4)]
    _submit(engine, bob)
    cancel = CancelRequest(user_id=ann, request_id=mine[1])
    cancel_request(cancel, uow=SqlUnitOfWork(engine), clock=FakeClock(NOW))
    delete = DeleteRequest(user_id=ann, request_id=mine[2])
    delete_request(delete, uow=SqlUnitOfWork(engine), clock=FakeClock(NOW))
    first = list_requests(ann, uow=SqlUnitOfWork(engine), limit=2)
    rest = list_requests(ann, uow=SqlUnitOfWork(engine), after=first.next_after, limit=2)
    assert [r.id for r in first.items] == [mine[3], mine[1]]
    assert ([r.id for r in rest.items], rest.next_after) == ([mine[0]], None)
    pending = list_requests(ann, "pending", uow=SqlUnitOfWork(engine))
    assert [r.id for r in pending.items] == [mine[3], mine[0]]
    cancelled = list_requests(ann, Status.CANCELLED, uow=SqlUnitOfWork(engine))
    assert [(r.id, r.jobs[0].status) for r in cancelled.items] == [(mine[1], Status.CANCELLED)]


def test_deleting_a_request_releases_its_holds_and_hides_it_from_its_owner_only(
    engine: sa.Engine, users: tuple[int, int]
) -> None:
    ann, bob = users
    request_id = _submit(engine, ann, batch=3)
    assert wallet_of(ann, uow=SqlUnitOfWork(engine)).held > 0
    with pytest.raises(NotFound):
        request_of(bob, request_id, uow=SqlUnitOfWork(engine))
    with pytest.raises(NotFound):
        delete_request(
            DeleteRequest(user_id=bob, request_id=request_id),
            uow=SqlUnitOfWork(engine),
            clock=FakeClock(NOW),
        )
    delete = DeleteRequest(user_id=ann, request_id=request_id)
    delete_request(delete, uow=SqlUnitOfWork(engine), clock=FakeClock(NOW))
    assert wallet_of(ann, uow=SqlUnitOfWork(engine)).held == 0
    with SqlUnitOfWork(engine) as uow:
        stored = uow.requests.get(request_id)
        holds = [uow.holds.for_job(job.id or 0) for job in stored.jobs]
    assert (stored.status, stored.deleted_at) == (Status.CANCELLED, NOW)
    assert {h.status for h in holds if h is not None} == {HoldStatus.RELEASED}
    with pytest.raises(NotFound):
        request_of(ann, request_id, uow=SqlUnitOfWork(engine))


def test_the_ledger_pages_newest_first_and_shows_a_refunded_purchase_refunded(
    engine: sa.Engine, users: tuple[int, int]
) -> None:
    ann, _ = users
    clock, stars = FakeClock(NOW), PaymentProvider.TELEGRAM_STARS.value
    pack = add_pack(SqlUnitOfWork(engine))
    for charge in ("ch_1", "ch_2"):
        payment = start_purchase(ann, pack.id or 0, stars, uow=SqlUnitOfWork(engine), clock=clock)
        confirm_payment(paid(payment, charge), uow=SqlUnitOfWork(engine), clock=clock)
    refund_purchase(stars, "ch_1", uow=SqlUnitOfWork(engine), clock=clock)
    first = ledger_of(ann, uow=SqlUnitOfWork(engine), limit=2)
    rest = ledger_of(ann, uow=SqlUnitOfWork(engine), after=first.next_after, limit=2)
    shown = [(e.reference_id, e.status) for e in first.items + rest.items]
    assert shown == [
        ("refund:telegram_stars:ch_1", EntryStatus.COMPLETED),
        ("payment:telegram_stars:ch_2", EntryStatus.COMPLETED),
        ("payment:telegram_stars:ch_1", EntryStatus.REFUNDED),
        (f"welcome:{ann}", EntryStatus.COMPLETED),
    ]
    assert rest.next_after is None
