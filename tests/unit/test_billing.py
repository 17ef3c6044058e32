"""Credits around generation, on fakes (WAL-2, WAL-7, WAL-8)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from genmedia.application.errors import ProviderError
from genmedia.application.execution.runner import JobRunner
from genmedia.application.generation.commands import CancelRequest, SubmitRequest
from genmedia.application.generation.requests import cancel_request, submit_request
from genmedia.application.identity.commands import CreateUser
from genmedia.application.identity.users import create_user
from genmedia.application.wallet.accounts import AdjustCredits, adjust_credits, expire_holds
from genmedia.domain.errors import IdempotencyConflict, InsufficientCredits, InvalidValue
from genmedia.domain.holds import HoldStatus
from genmedia.domain.wallet import EntryKind, EntryType, Posting
from tests.fakes import (
    FakeHasher,
    FakeImageProcessor,
    FakeMetrics,
    FakeProvider,
    FakeQueue,
    FakeStorage,
)


def portrait(user_id: int, batch: int = 4) -> SubmitRequest:
    return SubmitRequest(
        user_id=user_id, template="studio-portrait", input_metadata={"batch_size": batch}
    )


def runner(uow, clock, provider: FakeProvider | None = None) -> JobRunner:
    return JobRunner(
        uow=lambda: uow, storage=FakeStorage(), images=FakeImageProcessor(),
        providers={"local": provider or FakeProvider()}, queue=FakeQueue(), clock=clock,
        worker_id="w", metrics=FakeMetrics(),
    )  # fmt: skip


def test_a_new_user_gets_the_welcome_credits(uow, clock) -> None:
    user = create_user(
        CreateUser(email="bo@example.com"), uow=uow, hasher=FakeHasher(), clock=clock
    )
    wallet = uow.db.wallets[user.id]
    assert (wallet.balance, wallet.held) == (100, 0)
    assert [(e.kind, e.amount, e.reference_id) for e in uow.db.entries if e.user_id == user.id] == [
        (EntryKind.BONUS, 100, f"welcome:{user.id}")
    ]


def test_the_welcome_amount_is_configurable(uow, clock) -> None:
    cmd = CreateUser(email="cy@example.com")
    user = create_user(cmd, uow=uow, hasher=FakeHasher(), clock=clock, welcome_credits=7)
    assert uow.db.wallets[user.id].balance == 7


def test_submitting_holds_each_jobs_cost(uow, clock, user) -> None:
    request = submit_request(portrait(user.id), uow=uow, clock=clock)
    wallet = uow.db.wallets[user.id]
    assert (wallet.balance, wallet.held, wallet.available) == (100, 16, 84)
    assert sorted(h.amount for h in uow.db.holds.values()) == [4, 4, 4, 4]
    assert {h.job_id for h in uow.db.holds.values()} == {j.id for j in request.jobs}


def test_a_request_the_wallet_cannot_cover_is_refused_before_anything_is_queued(
    uow, clock, user
) -> None:
    adjust_credits(
        AdjustCredits(user_id=user.id, amount=-90, reason="test", reference_id="t1"), uow=uow
    )
    with pytest.raises(InsufficientCredits):
        submit_request(portrait(user.id), uow=uow, clock=clock)
    assert uow.db.requests == {}
    assert uow.db.holds == {}
    assert uow.db.wallets[user.id].held == 0


def test_completion_captures_the_hold_and_failure_releases_it(uow, clock, user) -> None:
    request = submit_request(portrait(user.id, batch=2), uow=uow, clock=clock)
    refusal = ProviderError("content_moderated", "refused")
    work = runner(uow, clock, FakeProvider(errors=[refusal]))
    first, second = (j.id for j in request.jobs)
    work.run(first)
    work.run(second)
    wallet = uow.db.wallets[user.id]
    assert (wallet.balance, wallet.held, wallet.total_spent) == (96, 0, 4)
    statuses = {h.job_id: h.status for h in uow.db.holds.values()}
    assert statuses == {first: HoldStatus.RELEASED, second: HoldStatus.CAPTURED}
    stored = uow.db.requests[request.id]
    assert (stored.status.value, stored.credits_charged) == ("completed", 4)


def test_cancelling_releases_the_pending_jobs_holds(uow, clock, user) -> None:
    request = submit_request(portrait(user.id), uow=uow, clock=clock)
    cancel_request(CancelRequest(user_id=user.id, request_id=request.id), uow=uow, clock=clock)
    wallet = uow.db.wallets[user.id]
    assert (wallet.balance, wallet.held) == (100, 0)
    assert {h.status for h in uow.db.holds.values()} == {HoldStatus.RELEASED}


def test_an_expired_hold_returns_its_credits(uow, clock, user) -> None:
    submit_request(portrait(user.id, batch=1), uow=uow, clock=clock, hold_ttl=timedelta(seconds=60))
    uow.db.now += timedelta(seconds=61)
    assert expire_holds(uow=uow) == 1
    assert uow.db.wallets[user.id].held == 0
    assert expire_holds(uow=uow) == 0


def test_a_job_completing_after_its_hold_expired_is_charged_from_available_credits(
    uow, clock, user
) -> None:
    request = submit_request(
        portrait(user.id, batch=1), uow=uow, clock=clock, hold_ttl=timedelta(seconds=1)
    )
    uow.db.now += timedelta(seconds=2)
    expire_holds(uow=uow)
    runner(uow, clock).run(request.jobs[0].id)
    job = uow.db.requests[request.id].jobs[0]
    assert (job.status.value, job.credits_used) == ("completed", 4)
    assert uow.db.wallets[user.id].balance == 96


def test_a_late_job_the_wallet_cannot_pay_is_delivered_unpaid(uow, clock, user) -> None:
    request = submit_request(
        portrait(user.id, batch=1), uow=uow, clock=clock, hold_ttl=timedelta(seconds=1)
    )
    uow.db.now += timedelta(seconds=2)
    expire_holds(uow=uow)
    adjust_credits(
        AdjustCredits(user_id=user.id, amount=-98, reason="test", reference_id="t2"), uow=uow
    )
    runner(uow, clock).run(request.jobs[0].id)
    job = uow.db.requests[request.id].jobs[0]
    assert (job.status.value, job.credits_used, job.output_metadata["billing"]) == (
        "completed",
        0,
        "unpaid",
    )
    assert uow.db.wallets[user.id].balance == 2


def test_an_admin_adjustment_needs_a_reason(uow, user) -> None:
    with pytest.raises(InvalidValue) as err:
        adjust_credits(
            AdjustCredits(user_id=user.id, amount=5, reason=" ", reference_id="x"), uow=uow
        )
    assert err.value.field == "reason"


def test_a_deduction_cannot_take_held_credits(uow, clock, user) -> None:
    submit_request(portrait(user.id), uow=uow, clock=clock)
    with pytest.raises(InsufficientCredits):
        adjust_credits(
            AdjustCredits(user_id=user.id, amount=-90, reason="oops", reference_id="x"), uow=uow
        )


def test_replaying_a_posting_returns_the_first_entry_and_changes_nothing(uow, user) -> None:
    cmd = AdjustCredits(user_id=user.id, amount=5, reason="gift", reference_id="r1")
    first = adjust_credits(cmd, uow=uow)
    assert adjust_credits(cmd, uow=uow) == first
    assert uow.db.wallets[user.id].balance == 105


def test_reusing_a_reference_with_other_content_is_a_conflict(uow, user) -> None:
    adjust_credits(
        AdjustCredits(user_id=user.id, amount=5, reason="gift", reference_id="r2"), uow=uow
    )
    with pytest.raises(IdempotencyConflict):
        adjust_credits(
            AdjustCredits(user_id=user.id, amount=6, reason="gift", reference_id="r2"), uow=uow
        )


def test_a_posting_needs_a_namespaced_reference() -> None:
    with pytest.raises(InvalidValue) as err:
        Posting(reference_id="plain", type=EntryType.CREDIT, kind=EntryKind.BONUS, amount=1)
    assert err.value.field == "reference_id"
