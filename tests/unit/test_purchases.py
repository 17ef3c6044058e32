"""Buying credit packs on fakes: start, confirm once, refund what is left."""

from __future__ import annotations

import attrs
import pytest

from genmedia.application.commerce.purchases import (
    confirm_payment,
    list_credit_packs,
    start_purchase,
)
from genmedia.application.commerce.refunds import apply_notification, refund_purchase
from genmedia.domain.coupons import Coupon, DiscountType
from genmedia.domain.errors import (
    ChargeNotPaidYet,
    IllegalTransition,
    InvalidValue,
    NotFound,
    UnknownPayment,
)
from genmedia.domain.lots import CreditLot, LotCategory
from genmedia.domain.purchases import Payment, PaymentEvent, PaymentProvider, PaymentStatus
from genmedia.domain.wallet import EntryKind, Links
from tests.commerce import (
    T0,
    add_buyer,
    add_coupon,
    add_pack,
    balance,
    ledger,
    paid,
    redemptions,
    spend,
    used_count,
)
from tests.fakes import FakeClock, FakeUnitOfWork

STARS = PaymentProvider.TELEGRAM_STARS.value


@pytest.fixture
def buyer(uow: FakeUnitOfWork) -> int:
    return add_buyer(uow)


def _confirmed(uow: FakeUnitOfWork, clock: FakeClock, buyer: int, charge: str = "ch_1") -> int:
    pack = add_pack(uow)
    payment = start_purchase(buyer, pack.id or 0, STARS, uow=uow, clock=clock)
    confirm_payment(paid(payment, charge), uow=uow, clock=clock)
    return payment.id or 0


def test_a_purchase_starts_as_a_pending_payment_at_the_pack_price(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int
) -> None:
    pack = add_pack(uow, price=500, credits=100)
    payment = start_purchase(buyer, pack.id or 0, STARS, uow=uow, clock=clock)
    assert payment.status is PaymentStatus.PENDING
    assert (payment.amount, payment.currency, payment.credits) == (500, "XTR", 100)
    assert balance(uow, buyer) == 0


def test_a_percentage_coupon_rounds_the_discount_down(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int
) -> None:
    pack = add_pack(uow, price=999, currency="USD")
    add_coupon(uow, "TEN", DiscountType.PERCENTAGE, 10)
    payment = start_purchase(buyer, pack.id or 0, "webhook", "ten", uow=uow, clock=clock)
    assert payment.amount == 900
    assert payment.metadata["coupon"]["code"] == "TEN"


def test_starting_a_purchase_with_a_coupon_claims_one_use_of_it(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int
) -> None:
    pack = add_pack(uow, price=500)
    coupon = add_coupon(uow, "MINUS100", DiscountType.FIXED_AMOUNT, 100, currency="XTR")
    payment = start_purchase(buyer, pack.id or 0, STARS, "minus100", uow=uow, clock=clock)
    assert used_count(uow, "MINUS100") == 1
    (redemption,) = redemptions(uow, coupon.id or 0)
    assert (redemption.payment_id, redemption.discount_applied) == (payment.id, 100)
    assert payment.amount == 400
    assert payment.coupon_id == coupon.id


def test_a_coupon_that_makes_the_pack_free_settles_the_purchase_at_once(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int
) -> None:
    pack = add_pack(uow, price=500, credits=100)
    add_coupon(uow, "FREE", DiscountType.FIXED_AMOUNT, 800, currency="XTR")
    payment = start_purchase(buyer, pack.id or 0, STARS, "FREE", uow=uow, clock=clock)
    assert (payment.amount, payment.status) == (0, PaymentStatus.PAID)
    assert balance(uow, buyer) == 100


@pytest.mark.parametrize(
    ("code", "kind", "value", "currency"),
    [
        ("GIFT50", DiscountType.CREDITS, 50, None),
        ("DOLLAR", DiscountType.FIXED_AMOUNT, 100, "USD"),
    ],
)
def test_a_coupon_that_cannot_discount_this_pack_is_refused_naming_the_coupon_code(
    uow: FakeUnitOfWork,
    clock: FakeClock,
    buyer: int,
    code: str,
    kind: DiscountType,
    value: int,
    currency: str | None,
) -> None:
    pack = add_pack(uow)
    add_coupon(uow, code, kind, value, currency=currency)
    with pytest.raises(InvalidValue) as raised:
        start_purchase(buyer, pack.id or 0, STARS, code, uow=uow, clock=clock)
    assert raised.value.field == "coupon_code"


def test_an_unknown_coupon_code_is_refused_naming_the_coupon_code(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int
) -> None:
    pack = add_pack(uow)
    with pytest.raises(InvalidValue) as raised:
        start_purchase(buyer, pack.id or 0, STARS, "NOPE", uow=uow, clock=clock)
    assert raised.value.field == "coupon_code"


def test_a_pack_off_sale_or_an_unknown_provider_cannot_be_bought(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int
) -> None:
    old = add_pack(uow, "Old", active=False)
    live = add_pack(uow, "Live")
    with pytest.raises(NotFound):
        start_purchase(buyer, old.id or 0, STARS, uow=uow, clock=clock)
    with pytest.raises(InvalidValue) as raised:
        start_purchase(buyer, live.id or 0, "paypal", uow=uow, clock=clock)
    assert raised.value.field == "provider"


def test_a_confirmed_purchase_credits_the_buyer_under_the_charge_reference(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int
) -> None:
    payment_id = _confirmed(uow, clock, buyer, "tg_42")
    (entry,) = ledger(uow, buyer)
    assert entry.reference_id == "payment:telegram_stars:tg_42"
    assert (entry.kind, entry.amount, entry.links) == (
        EntryKind.PURCHASE,
        100,
        Links(payment_id=payment_id),
    )
    with uow:
        assert uow.wallets.get(buyer).total_bought == 100
        assert uow.payments.get(payment_id).status is PaymentStatus.PAID


def test_replaying_a_confirmation_returns_the_payment_and_changes_nothing(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int
) -> None:
    pack = add_pack(uow)
    payment = start_purchase(buyer, pack.id or 0, STARS, uow=uow, clock=clock)
    first = confirm_payment(paid(payment), uow=uow, clock=clock)
    clock.advance(60)
    again = confirm_payment(paid(payment), uow=uow, clock=clock)
    assert (again.status, again.charge_id, again.paid_at) == (
        first.status,
        first.charge_id,
        first.paid_at,
    )
    assert balance(uow, buyer) == 100
    assert len(ledger(uow, buyer)) == 1


@pytest.mark.parametrize(("amount", "currency"), [(499, "XTR"), (500, "USD")])
def test_a_notification_that_does_not_match_the_payment_changes_nothing(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int, amount: int, currency: str
) -> None:
    pack = add_pack(uow, price=500)
    payment = start_purchase(buyer, pack.id or 0, STARS, uow=uow, clock=clock)
    with pytest.raises(InvalidValue, match="expects 500 XTR"):
        confirm_payment(paid(payment, amount=amount, currency=currency), uow=uow, clock=clock)
    with uow:
        assert uow.payments.get(payment.id or 0).status is PaymentStatus.PENDING
    assert balance(uow, buyer) == 0


def test_a_notification_from_another_provider_does_not_find_the_payment(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int
) -> None:
    pack = add_pack(uow)
    payment = start_purchase(buyer, pack.id or 0, STARS, uow=uow, clock=clock)
    wrong = attrs.evolve(paid(payment), provider=PaymentProvider.WEBHOOK)
    with pytest.raises(UnknownPayment):
        confirm_payment(wrong, uow=uow, clock=clock)


def test_a_notification_with_a_reference_that_is_not_ours_changes_nothing(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int
) -> None:
    pack = add_pack(uow)
    payment = start_purchase(buyer, pack.id or 0, STARS, uow=uow, clock=clock)
    with pytest.raises(UnknownPayment):
        confirm_payment(attrs.evolve(paid(payment), reference="pay_x"), uow=uow, clock=clock)
    assert balance(uow, buyer) == 0


def test_a_purchase_without_a_provider_goes_to_the_one_taking_the_pack_currency(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int
) -> None:
    stars, dollars = add_pack(uow, "Stars"), add_pack(uow, "Dollars", currency="USD")
    by_stars = start_purchase(buyer, stars.id or 0, uow=uow, clock=clock)
    by_card = start_purchase(buyer, dollars.id or 0, uow=uow, clock=clock)
    assert by_stars.provider is PaymentProvider.TELEGRAM_STARS
    assert by_card.provider is PaymentProvider.STRIPE
    assert by_stars.reference.startswith("pay_")
    assert by_stars.reference != by_card.reference


@pytest.mark.parametrize(("currency", "provider"), [("USD", "telegram"), ("XTR", "stripe")])
def test_a_provider_that_does_not_take_the_pack_currency_is_refused(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int, currency: str, provider: str
) -> None:
    pack = add_pack(uow, currency=currency)
    with pytest.raises(InvalidValue, match="provider"):
        start_purchase(buyer, pack.id or 0, provider, uow=uow, clock=clock)


def test_a_second_charge_for_a_paid_payment_is_refused(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int
) -> None:
    pack = add_pack(uow)
    payment = start_purchase(buyer, pack.id or 0, STARS, uow=uow, clock=clock)
    confirm_payment(paid(payment, "ch_1"), uow=uow, clock=clock)
    with pytest.raises(IllegalTransition):
        confirm_payment(paid(payment, "ch_2"), uow=uow, clock=clock)
    assert balance(uow, buyer) == 100


def test_a_refund_claws_back_only_what_is_left_of_the_purchase(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int
) -> None:
    _confirmed(uow, clock, buyer)
    spend(uow, buyer, 30)
    refunded = refund_purchase(STARS, "ch_1", uow=uow, clock=clock)
    assert refunded.status is PaymentStatus.REFUNDED
    assert refunded.metadata["refund"] == {"clawed_back": 70, "unrecoverable": 30}
    assert balance(uow, buyer) == 0
    assert ledger(uow, buyer)[0].reference_id == "refund:telegram_stars:ch_1"


def test_a_refund_leaves_credits_held_for_running_work_alone(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int
) -> None:
    _confirmed(uow, clock, buyer)
    with uow:
        uow.wallets.reserve(buyer, 40)
        uow.commit()
    refunded = refund_purchase(STARS, "ch_1", uow=uow, clock=clock)
    assert refunded.metadata["refund"] == {"clawed_back": 60, "unrecoverable": 40}
    assert balance(uow, buyer) == 40


def test_a_refund_of_a_spent_purchase_still_marks_it_refunded(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int
) -> None:
    _confirmed(uow, clock, buyer)
    spend(uow, buyer, 100)
    refunded = refund_purchase(STARS, "ch_1", uow=uow, clock=clock)
    assert refunded.status is PaymentStatus.REFUNDED
    assert refunded.metadata["refund"] == {"clawed_back": 0, "unrecoverable": 100}
    assert len(ledger(uow, buyer)) == 2


def test_replaying_a_refund_changes_nothing(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int
) -> None:
    _confirmed(uow, clock, buyer)
    first = refund_purchase(STARS, "ch_1", uow=uow, clock=clock)
    clock.advance(60)
    again = refund_purchase(STARS, "ch_1", uow=uow, clock=clock)
    assert (again.refunded_at, again.metadata) == (first.refunded_at, first.metadata)
    assert len(ledger(uow, buyer)) == 2
    assert balance(uow, buyer) == 0


def test_a_refund_of_a_charge_not_paid_yet_is_refused_for_a_later_delivery(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int
) -> None:
    pack = add_pack(uow)
    payment = start_purchase(buyer, pack.id or 0, STARS, uow=uow, clock=clock)
    refund = paid(payment, "ch_early", event=PaymentEvent.REFUNDED)
    with pytest.raises(ChargeNotPaidYet):
        apply_notification(refund, uow=uow, clock=clock)
    apply_notification(paid(payment, "ch_early"), uow=uow, clock=clock)
    assert balance(uow, buyer) == 100
    apply_notification(refund, uow=uow, clock=clock)
    assert balance(uow, buyer) == 0


def test_a_notification_is_routed_to_confirmation_or_refund_by_its_event(
    uow: FakeUnitOfWork, clock: FakeClock, buyer: int
) -> None:
    pack = add_pack(uow)
    payment = start_purchase(buyer, pack.id or 0, STARS, uow=uow, clock=clock)
    assert apply_notification(paid(payment), uow=uow, clock=clock).status is PaymentStatus.PAID
    refund = paid(payment, event=PaymentEvent.REFUNDED)
    assert apply_notification(refund, uow=uow, clock=clock).status is PaymentStatus.REFUNDED


def _payment(amount: int = 500) -> Payment:
    return Payment(provider=PaymentProvider.WEBHOOK, amount=amount, currency="USD", credits=100)


def test_a_payment_takes_one_coupon_and_only_while_unpaid() -> None:
    payment = _payment()
    coupon = Coupon(
        code="TEN", discount_type=DiscountType.PERCENTAGE, discount_value=10, valid_from=T0
    )
    coupon.stored_as(9)
    assert payment.apply_coupon(coupon) == 50
    assert (payment.amount, payment.coupon_id) == (450, 9)
    assert payment.metadata["coupon"] == {"code": "TEN", "type": "percentage", "value": 10}
    with pytest.raises(InvalidValue) as raised:
        payment.apply_coupon(coupon)
    assert raised.value.field == "coupon_code"
    assert payment.amount == 450


def test_only_a_payment_of_nothing_is_settled_at_once() -> None:
    owed, free = _payment(500), _payment(0)
    free.stored_as(3)
    assert not owed.settle_if_free(T0)
    assert owed.status is PaymentStatus.PENDING
    assert free.settle_if_free(T0)
    assert (free.status, free.charge_id, free.paid_at) == (PaymentStatus.PAID, "free-3", T0)


def test_a_claw_back_is_what_is_left_of_the_purchase_as_far_as_the_balance_allows() -> None:
    payment = _payment()
    payment.mark_paid("ch_1", 500, "USD", T0)
    with pytest.raises(IllegalTransition):
        payment.record_claw_back(100)
    payment.mark_refunded(T0)
    payment.record_claw_back(_lot_left(70).reclaimable(available=40))
    assert payment.metadata["refund"] == {"clawed_back": 40, "unrecoverable": 60}
    payment.record_claw_back(_lot_left(0).reclaimable(available=40))
    assert payment.metadata["refund"] == {"clawed_back": 0, "unrecoverable": 100}


def _lot_left(remaining: int) -> CreditLot:
    return CreditLot(
        user_id=1, category=LotCategory.PAID, amount=100, remaining=remaining,
        reference_id="payment:stripe:ch_1",
    )  # fmt: skip


def test_the_credit_packs_on_sale_are_listed_fewest_credits_first(uow: FakeUnitOfWork) -> None:
    add_pack(uow, "Mega", credits=5000, price=4000)
    add_pack(uow, "Mini", credits=10, price=5)
    add_pack(uow, "Retired", credits=50, price=100, active=False)
    names = [p.name for p in list_credit_packs(uow=uow).items]
    assert names == ["Mini", "Starter", "Pro", "Premium", "Mega"]
