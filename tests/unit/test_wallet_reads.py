"""The wallet as its owner sees it: balances, the ledger in pages, packs, codes (WAL-1…8)."""

from __future__ import annotations

import pytest

from genmedia.application.commerce.purchases import (
    confirm_payment,
    list_credit_packs,
    start_purchase,
)
from genmedia.application.commerce.redemptions import redeem_code
from genmedia.application.commerce.refunds import refund_purchase
from genmedia.application.wallet.accounts import ledger_of, wallet_of
from genmedia.domain.coupons import DiscountType
from genmedia.domain.errors import AlreadyUsed, Expired, InvalidValue, NotFound
from genmedia.domain.purchases import PaymentProvider, as_shown
from genmedia.domain.wallet import EntryKind, EntryStatus, EntryType, LedgerEntry, Links
from tests.commerce import T0, add_buyer, add_coupon, add_pack, paid, spend
from tests.fakes import FakeClock, FakeUnitOfWork

STARS = PaymentProvider.TELEGRAM_STARS.value


def _buy(uow: FakeUnitOfWork, clock: FakeClock, buyer: int, charge: str) -> int:
    pack = add_pack(uow, name=f"pack {charge}")
    payment = start_purchase(buyer, pack.id or 0, STARS, uow=uow, clock=clock)
    confirm_payment(paid(payment, charge), uow=uow, clock=clock)
    return payment.id or 0


def test_the_wallet_shows_balance_held_available_and_the_lifetime_totals(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    buyer = add_buyer(uow)
    _buy(uow, clock, buyer, "ch_1")
    spend(uow, buyer, 30)
    with uow:
        uow.wallets.reserve(buyer, 20)
        uow.commit()
    wallet = wallet_of(buyer, uow=uow)
    assert (wallet.balance, wallet.held, wallet.available) == (70, 20, 50)
    assert (wallet.total_spent, wallet.total_bought) == (30, 100)


def test_the_ledger_is_read_newest_first_in_pages_of_the_owners_entries(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    buyer, other = add_buyer(uow), add_buyer(uow, "other@example.com")
    _buy(uow, clock, buyer, "ch_1")
    for i in range(4):
        spend(uow, buyer, 1, f"job:{i}:capture")
    _buy(uow, clock, other, "ch_2")
    first = ledger_of(buyer, uow=uow, limit=3)
    rest = ledger_of(buyer, uow=uow, after=first.next_after, limit=3)
    entries = first.items + rest.items
    assert [e.reference_id for e in entries] == [
        "job:3:capture",
        "job:2:capture",
        "job:1:capture",
        "job:0:capture",
        "payment:telegram_stars:ch_1",
    ]
    assert rest.next_after is None
    assert {e.user_id for e in entries} == {buyer}
    assert [e.balance_after for e in entries] == [96, 97, 98, 99, 100]


def test_a_refunded_purchase_shows_refunded_and_its_claw_back_completed(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    buyer = add_buyer(uow)
    refunded_id = _buy(uow, clock, buyer, "ch_1")
    _buy(uow, clock, buyer, "ch_2")
    refund_purchase(STARS, "ch_1", uow=uow, clock=clock)
    shown = {e.reference_id: e for e in ledger_of(buyer, uow=uow).items}
    assert shown["payment:telegram_stars:ch_1"].status is EntryStatus.REFUNDED
    assert shown["payment:telegram_stars:ch_1"].links.payment_id == refunded_id
    assert shown["payment:telegram_stars:ch_2"].status is EntryStatus.COMPLETED
    assert shown["refund:telegram_stars:ch_1"].status is EntryStatus.COMPLETED
    assert shown["refund:telegram_stars:ch_1"].type is EntryType.DEBIT


def test_only_a_purchase_of_a_refunded_payment_shows_refunded() -> None:
    def entry(kind: EntryKind, payment_id: int | None) -> LedgerEntry:
        return LedgerEntry(
            user_id=1, type=EntryType.CREDIT, kind=kind, amount=5, balance_before=0,
            balance_after=5, reason="", source="", reference_id="x:1", fingerprint="f",
            links=Links(payment_id=payment_id),
        )  # fmt: skip

    assert as_shown(entry(EntryKind.PURCHASE, 3), {3}).status is EntryStatus.REFUNDED
    assert as_shown(entry(EntryKind.PURCHASE, 4), {3}).status is EntryStatus.COMPLETED
    assert as_shown(entry(EntryKind.REFUND, 3), {3}).status is EntryStatus.COMPLETED
    assert as_shown(entry(EntryKind.PURCHASE, None), {3}).status is EntryStatus.COMPLETED


def test_a_bad_ledger_cursor_or_limit_is_refused_naming_it(uow: FakeUnitOfWork) -> None:
    buyer = add_buyer(uow)
    with pytest.raises(InvalidValue) as refused:
        ledger_of(buyer, uow=uow, after=(1, 2))
    assert refused.value.field == "cursor"
    with pytest.raises(InvalidValue) as refused:
        ledger_of(buyer, uow=uow, limit=0)
    assert refused.value.field == "limit"


def test_credit_packs_on_sale_are_paged_fewest_credits_first(uow: FakeUnitOfWork) -> None:
    add_pack(uow, "Off", credits=1, active=False)
    add_pack(uow, "Extra", credits=500)
    first = list_credit_packs(uow=uow, limit=2)
    rest = list_credit_packs(uow=uow, after=first.next_after)
    names = [p.name for p in first.items + rest.items]
    assert names == ["Starter", "Pro", "Extra", "Premium"]


def test_redeeming_a_code_answers_its_kind_credits_and_the_balance(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    buyer = add_buyer(uow)
    add_coupon(uow, "FREE25", DiscountType.CREDITS, 25, max_uses=1)
    clock.current = T0
    redeemed = redeem_code(buyer, "free25", uow=uow, clock=clock)
    assert (redeemed.kind, redeemed.credits_awarded, redeemed.balance) == ("coupon", 25, 25)
    with pytest.raises(AlreadyUsed):
        redeem_code(add_buyer(uow, "late@example.com"), "FREE25", uow=uow, clock=clock)
    with pytest.raises(NotFound):
        redeem_code(buyer, "NOPE-NOPE", uow=uow, clock=clock)


def test_an_expired_code_is_refused(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    buyer = add_buyer(uow)
    add_coupon(uow, "OLD", DiscountType.CREDITS, 5, valid_until=T0)
    clock.current = T0.replace(year=2027)
    with pytest.raises(Expired):
        redeem_code(buyer, "OLD", uow=uow, clock=clock)
