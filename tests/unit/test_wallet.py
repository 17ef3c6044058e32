"""The wallet's rules in the domain: movements, holds, lots and postings (WAL-1…3, WAL-7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from genmedia.application.wallet.accounts import expire_lots
from genmedia.domain import postings
from genmedia.domain.errors import IdempotencyConflict, InsufficientCredits, InvalidValue
from genmedia.domain.holds import CreditHold, HoldStatus
from genmedia.domain.job import Job
from genmedia.domain.job_input import JobInput, SourceImage
from genmedia.domain.lots import CreditLot, LotCategory, plan_consumption
from genmedia.domain.purchases import Payment, PaymentProvider
from genmedia.domain.wallet import EntryKind, EntryType, Movement, Posting, Wallet

T0 = datetime(2026, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def debit(n: int, amount: int, kind: EntryKind = EntryKind.GENERATION) -> Posting:
    return Posting(reference_id=f"job:{n}:capture", type=EntryType.DEBIT, kind=kind, amount=amount)


def credit(n: int, amount: int, kind: EntryKind = EntryKind.PURCHASE) -> Posting:
    return Posting(reference_id=f"payment:x:{n}", type=EntryType.CREDIT, kind=kind, amount=amount)


def lot(
    id: int,
    remaining: int,
    *,
    priority: int = 0,
    expires_at: datetime | None = None,
    category: LotCategory = LotCategory.PROMO,
    created_at: datetime = T0,
) -> CreditLot:
    return CreditLot(
        id=id, user_id=1, category=category, amount=remaining or 1, remaining=remaining,
        reference_id=f"lot:{id}", priority=priority, expires_at=expires_at, created_at=created_at,
    )  # fmt: skip


def test_a_capture_never_takes_more_than_is_held() -> None:
    hold = CreditHold(user_id=1, amount=4, expires_at=T0)
    hold.capture(9, T0)
    assert (hold.status, hold.captured, hold.settled_at) == (HoldStatus.CAPTURED, 4, T0)


def test_a_capture_of_a_negative_cost_is_refused_and_leaves_the_hold_pending() -> None:
    hold = CreditHold(user_id=1, amount=4, expires_at=T0)
    with pytest.raises(InvalidValue):
        hold.capture(-1, T0)
    assert hold.status is HoldStatus.PENDING


def test_the_movement_of_postings_sums_the_balance_and_the_lifetime_totals() -> None:
    movement = Movement.post(
        [credit(1, 40), debit(2, 5), debit(3, 2, EntryKind.EXPIRY), debit(4, 3, EntryKind.EDIT)],
        release=6,
    )
    assert (movement.delta, movement.freed, movement.spent, movement.bought) == (30, 6, 8, 40)


def test_the_entries_of_a_movement_chain_their_balances_in_the_order_given() -> None:
    entries = Movement.post([debit(1, 7), debit(2, 3), credit(3, 5)]).entries(9, 20)
    assert [(e.balance_before, e.balance_after) for e in entries] == [(20, 13), (13, 10), (10, 15)]
    assert {e.user_id for e in entries} == {9}


def test_a_wallet_refuses_a_debit_that_would_take_held_credits() -> None:
    wallet = Wallet(user_id=1, balance=10, held=6)
    with pytest.raises(InsufficientCredits) as refused:
        wallet.apply(Movement.post([debit(1, 5)]))
    assert (refused.value.needed, refused.value.available) == (5, 4)
    assert (wallet.balance, wallet.held) == (10, 6)


def test_a_capture_frees_its_hold_before_its_charge_is_checked() -> None:
    wallet = Wallet(user_id=1, balance=10, held=6)
    wallet.apply(Movement.post([debit(1, 8)], release=6))
    assert (wallet.balance, wallet.held, wallet.total_spent) == (2, 0, 8)


def test_a_reserve_holds_only_what_is_available_and_a_release_only_what_is_held() -> None:
    wallet = Wallet(user_id=1, balance=10)
    wallet.apply(Movement.reserve(7))
    with pytest.raises(InsufficientCredits):
        wallet.apply(Movement.reserve(4))
    with pytest.raises(InvalidValue):
        wallet.apply(Movement.release(8))
    wallet.apply(Movement.release(7))
    assert (wallet.balance, wallet.held) == (10, 0)


@pytest.mark.parametrize("amount", [0, -3])
def test_a_reserve_or_release_needs_a_positive_amount(amount: int) -> None:
    for movement in (Movement.reserve, Movement.release):
        with pytest.raises(InvalidValue):
            movement(amount)


def test_replaying_a_posting_returns_its_entry_and_other_content_is_a_conflict() -> None:
    [entry] = Wallet(user_id=1).apply(Movement.post([credit(1, 5)]))
    replayed = entry.replayed_by(1, credit(1, 5))
    assert (replayed, replayed.replayed, entry.replayed) == (entry, True, False)
    with pytest.raises(IdempotencyConflict):
        entry.replayed_by(1, credit(1, 6))
    with pytest.raises(IdempotencyConflict):
        entry.replayed_by(2, credit(1, 5))


def test_lots_are_drawn_by_priority_then_soonest_expiry_then_promotional_then_oldest() -> None:
    lots = [
        lot(1, 1, priority=1),
        lot(2, 1),
        lot(3, 1, expires_at=T0 + DAY),
        lot(4, 1, expires_at=T0),
        lot(5, 1, category=LotCategory.PAID, created_at=T0 - DAY),
        lot(6, 1, created_at=T0 + DAY),
        lot(7, 0),
    ]
    plan = plan_consumption(lots, 6)
    assert [(drawn.id, take) for drawn, take in plan] == [
        (4, 1),
        (3, 1),
        (2, 1),
        (6, 1),
        (5, 1),
        (1, 1),
    ]


def test_a_claw_back_draws_on_its_own_lot_first_and_the_rest_in_order() -> None:
    lots = [lot(1, 5), lot(2, 3, category=LotCategory.PAID)]
    plan = plan_consumption(lots, 6, first=2)
    assert [(drawn.id, take) for drawn, take in plan] == [(2, 3), (1, 3)]


def test_a_debit_the_lots_cannot_cover_is_refused() -> None:
    with pytest.raises(InsufficientCredits):
        plan_consumption([lot(1, 2)], 3)


def test_a_lot_is_reclaimed_only_as_far_as_the_wallet_has_credits_available() -> None:
    assert [lot(1, 5).reclaimable(available) for available in (9, 3, 0, -2)] == [5, 3, 0, 0]


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        (EntryKind.PURCHASE, LotCategory.PAID),
        (EntryKind.COUPON, LotCategory.PROMO),
        (EntryKind.GIFT_CARD, LotCategory.GIFT),
        (EntryKind.EXPIRY, LotCategory.ADMIN),
    ],
)
def test_a_credit_opens_a_lot_in_the_category_of_its_kind(
    kind: EntryKind, category: LotCategory
) -> None:
    opened = CreditLot.opened_by(3, credit(1, 8, kind), expires_at=T0)
    assert (opened.user_id, opened.category, opened.amount, opened.remaining) == (3, category, 8, 8)
    assert (opened.reference_id, opened.expires_at) == ("payment:x:1", T0)


def test_a_charge_of_nothing_is_no_posting() -> None:
    source = SourceImage(slot="image", media_id=1, storage_path="u/1.png", file_format="png")
    job = Job(id=5, request_id=2, user_id=1, feature_id=1, input=JobInput(images=(source,)))
    hold = CreditHold(id=3, user_id=1, amount=4, expires_at=T0)
    assert postings.job_charge(job, 0, None) is None
    assert postings.hold_capture(hold, EntryKind.GENERATION, 0) is None
    charge = postings.job_charge(job, 4, 9)
    assert charge is not None
    assert (charge.reference_id, charge.amount, charge.reason) == ("job:5:capture", 4, "edit job 5")
    assert (charge.links.request_id, charge.links.job_id, charge.links.media_id) == (2, 5, 9)


def test_an_expired_lot_is_taken_back_as_far_as_it_is_not_held(uow, user) -> None:
    promo = Posting(reference_id="bonus:1", type=EntryType.CREDIT, kind=EntryKind.BONUS, amount=30)
    with uow:
        uow.wallets.post(user.id, promo, lot_expires_at=uow.db.now + DAY)
        uow.wallets.reserve(user.id, 120)
        uow.commit()
    uow.db.now += 2 * DAY
    assert expire_lots(uow=uow) == 1
    wallet = uow.db.wallets[user.id]
    assert (wallet.balance, wallet.held) == (120, 120)
    expired = uow.db.entries[-1]
    assert (expired.kind, expired.amount, expired.reference_id) == (
        EntryKind.EXPIRY, 10, "expire:lot:" + str(_lot_id(uow, "bonus:1")) + ":30",
    )  # fmt: skip
    assert expire_lots(uow=uow) == 0


def _lot_id(uow, reference_id: str) -> int:
    with uow:
        found = uow.wallets.lot(reference_id)
    assert found is not None
    return found.id or 0


def test_a_payments_postings_are_under_the_references_the_payment_names() -> None:
    payment = Payment(
        id=4, provider=PaymentProvider.TELEGRAM_STARS, user_id=1, credit_pack_id=2, amount=100,
        currency="XTR", credits=40, charge_id="ch_1",
    )  # fmt: skip
    bought, refund = postings.purchase(payment), postings.refund(payment, 25)
    assert (bought.reference_id, bought.type, bought.amount) == (
        payment.credit_reference, EntryType.CREDIT, 40,
    )  # fmt: skip
    assert (refund.reference_id, refund.type, refund.amount) == (
        payment.refund_reference, EntryType.DEBIT, 25,
    )  # fmt: skip
    assert bought.links.payment_id == refund.links.payment_id == 4
