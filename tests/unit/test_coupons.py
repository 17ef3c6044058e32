"""Coupons: the domain rules, and redeeming a credits coupon on fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from genmedia.application.commerce.coupons import create_coupon
from genmedia.application.commerce.redemptions import Redeemed, redeem_code
from genmedia.domain.coupons import Coupon, DiscountType
from genmedia.domain.errors import AlreadyExists, AlreadyUsed, Expired, InvalidValue, NotFound
from genmedia.domain.wallet import EntryKind, Links
from tests.commerce import T0, add_buyer, add_coupon, balance, ledger, redemptions, used_count
from tests.fakes import FakeClock, FakeUnitOfWork


def _coupon(kind: DiscountType = DiscountType.PERCENTAGE, value: int = 10, **kw: object) -> Coupon:
    fields: dict[str, object] = {"code": "spring", "valid_from": T0, **kw}
    return Coupon(discount_type=kind, discount_value=value, **fields)  # type: ignore[arg-type]


def test_a_coupon_code_is_kept_in_upper_case_so_codes_ignore_case() -> None:
    assert _coupon().code == "SPRING"


@pytest.mark.parametrize(
    ("kind", "value", "extra", "field"),
    [
        (DiscountType.PERCENTAGE, 101, {}, "discount_value"),
        (DiscountType.CREDITS, 0, {}, "discount_value"),
        (DiscountType.FIXED_AMOUNT, 100, {}, "currency"),
        (DiscountType.CREDITS, 100, {"currency": "USD"}, "currency"),
        (DiscountType.CREDITS, 100, {"max_uses": 0}, "max_uses"),
        (DiscountType.CREDITS, 100, {"valid_until": T0}, "valid_until"),
    ],
)
def test_a_coupon_that_breaks_a_rule_is_refused_naming_the_field(
    kind: DiscountType, value: int, extra: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidValue) as raised:
        _coupon(kind, value, **extra)
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("kind", "value", "price", "after"),
    [
        (DiscountType.PERCENTAGE, 10, 999, 900),
        (DiscountType.PERCENTAGE, 33, 100, 67),
        (DiscountType.PERCENTAGE, 100, 999, 0),
        (DiscountType.FIXED_AMOUNT, 250, 1000, 750),
        (DiscountType.FIXED_AMOUNT, 2000, 1000, 0),
    ],
)
def test_the_price_after_a_discount_is_whole_and_never_negative(
    kind: DiscountType, value: int, price: int, after: int
) -> None:
    currency = "USD" if kind is DiscountType.FIXED_AMOUNT else None
    assert _coupon(kind, value, currency=currency).price_after(price, "USD") == after


def test_only_a_credits_coupon_awards_credits() -> None:
    assert _coupon(DiscountType.CREDITS, 50).credits_awarded == 50
    assert _coupon(DiscountType.PERCENTAGE, 50).credits_awarded == 0
    with pytest.raises(InvalidValue):
        _coupon(DiscountType.CREDITS, 50).price_after(100, "USD")


@pytest.mark.parametrize(
    ("extra", "now", "error", "message"),
    [
        ({"is_active": False}, T0, Expired, "no longer active"),
        ({}, T0 - timedelta(seconds=1), Expired, "not valid before"),
        ({"valid_until": T0 + timedelta(days=1)}, T0 + timedelta(days=1), Expired, "expired"),
        ({"max_uses": 2, "used_count": 2}, T0, AlreadyUsed, "used up"),
    ],
)
def test_a_coupon_that_cannot_be_used_says_why(
    extra: dict[str, object], now: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        _coupon(**extra).check_usable(now)  # type: ignore[arg-type]


def test_a_coupon_within_its_window_and_uses_is_usable() -> None:
    _coupon(max_uses=2, used_count=1, valid_until=T0 + timedelta(days=1)).check_usable(T0)


def test_claiming_a_use_counts_it_and_gives_the_redemption_to_record() -> None:
    coupon = _coupon(max_uses=2, used_count=1)
    coupon.stored_as(4)
    use = coupon.claim_use(7, T0, discount=10, payment_id=3)
    assert coupon.used_count == 2
    assert coupon.is_used_up
    assert (use.coupon_id, use.user_id, use.discount_applied, use.payment_id) == (4, 7, 10, 3)
    assert (use.credits_awarded, use.redeemed_at) == (0, T0)
    with pytest.raises(AlreadyUsed, match="used up"):
        coupon.claim_use(8, T0)


def test_a_coupon_without_max_uses_is_never_used_up() -> None:
    assert not _coupon(used_count=10_000).is_used_up


def test_a_credits_coupon_is_redeemed_for_its_credits_under_the_reference_given() -> None:
    use = _coupon(DiscountType.CREDITS, 50).redeem(7, T0, "coupon:1:7")
    assert (use.credits_awarded, use.discount_applied, use.reference_id) == (50, 0, "coupon:1:7")
    discount = _coupon(DiscountType.PERCENTAGE, 50)
    with pytest.raises(InvalidValue) as raised:
        discount.redeem(7, T0, "coupon:1:7")
    assert raised.value.field == "code"
    assert discount.used_count == 0


def test_a_code_taken_in_another_case_cannot_be_created_again(uow: FakeUnitOfWork) -> None:
    add_coupon(uow, "WELCOME", DiscountType.CREDITS, 50)
    with pytest.raises(AlreadyExists):
        create_coupon(_coupon(DiscountType.CREDITS, 5, code="welcome"), uow=uow)


def test_redeeming_a_credits_coupon_credits_the_wallet_once_per_user(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    coupon = add_coupon(uow, "WELCOME", DiscountType.CREDITS, 50, max_uses=10)
    user = add_buyer(uow)
    assert redeem_code(user, " welcome ", uow=uow, clock=clock) == Redeemed(
        kind="coupon", credits_awarded=50, balance=50
    )
    (entry,) = ledger(uow, user)
    assert (entry.kind, entry.reference_id) == (EntryKind.COUPON, f"coupon:{coupon.id}:{user}")
    assert entry.links == Links(coupon_id=coupon.id)
    (redemption,) = redemptions(uow, coupon.id or 0)
    assert used_count(uow, "WELCOME") == 1
    assert (redemption.user_id, redemption.credits_awarded) == (user, 50)
    assert redemption.reference_id == entry.reference_id


def test_replaying_a_redemption_is_refused_and_changes_nothing(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    add_coupon(uow, "WELCOME", DiscountType.CREDITS, 50)
    user = add_buyer(uow)
    redeem_code(user, "WELCOME", uow=uow, clock=clock)
    with pytest.raises(AlreadyUsed, match="already used"):
        redeem_code(user, "WELCOME", uow=uow, clock=clock)
    assert balance(uow, user) == 50
    assert len(ledger(uow, user)) == 1
    assert used_count(uow, "WELCOME") == 1


def test_a_used_up_coupon_is_refused_to_the_next_user(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    add_coupon(uow, "ONCE", DiscountType.CREDITS, 50, max_uses=1)
    first, second = add_buyer(uow, "a@example.com"), add_buyer(uow, "b@example.com")
    redeem_code(first, "ONCE", uow=uow, clock=clock)
    with pytest.raises(AlreadyUsed, match="used up"):
        redeem_code(second, "ONCE", uow=uow, clock=clock)
    assert balance(uow, second) == 0


def test_an_expired_coupon_is_refused(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    add_coupon(uow, "OLD", DiscountType.CREDITS, 50, valid_until=T0)
    with pytest.raises(Expired):
        redeem_code(add_buyer(uow), "OLD", uow=uow, clock=clock)


def test_a_discount_coupon_cannot_be_redeemed_for_credits(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    add_coupon(uow, "TENOFF", DiscountType.PERCENTAGE, 10)
    user = add_buyer(uow)
    with pytest.raises(InvalidValue) as raised:
        redeem_code(user, "TENOFF", uow=uow, clock=clock)
    assert raised.value.field == "code"
    with uow:
        assert uow.coupons.get_by_code("TENOFF").used_count == 0  # type: ignore[union-attr]


def test_an_unknown_code_is_not_found(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    with pytest.raises(NotFound):
        redeem_code(add_buyer(uow), "NO-SUCH-CODE", uow=uow, clock=clock)
