"""The commerce repositories and use cases on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from genmedia.adapters.sql.tables import coupons
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.commerce.gift_cards import (
    buy_gift_card,
    expire_gift_cards,
    redeem_gift_card,
)
from genmedia.application.commerce.purchases import (
    confirm_payment,
    list_credit_packs,
    start_purchase,
)
from genmedia.application.commerce.redemptions import redeem_code
from genmedia.application.commerce.refunds import refund_purchase
from genmedia.domain.coupons import CouponRedemption, DiscountType
from genmedia.domain.errors import (
    AlreadyExists,
    AlreadyUsed,
    Expired,
    IllegalTransition,
    InvalidValue,
    NotFound,
)
from genmedia.domain.gift_cards import GiftCard, GiftCardStatus, hash_code
from genmedia.domain.purchases import Payment, PaymentProvider, PaymentStatus
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
from tests.fakes import FakeClock

pytestmark = pytest.mark.integration

STARS = PaymentProvider.TELEGRAM_STARS
LATER = T0 + timedelta(days=10)


@pytest.fixture
def uow(engine: sa.Engine) -> SqlUnitOfWork:
    return SqlUnitOfWork(engine)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


def _payment(user_id: int, pack_id: int) -> Payment:
    return Payment(
        provider=STARS, user_id=user_id, credit_pack_id=pack_id, amount=500, currency="XTR",
        credits=100, metadata={"list_price": 500},
    )  # fmt: skip


def _card(code: str = "ABCD-EFGH-JKMN-PQRS-TUVW", expires_in: int = 30) -> GiftCard:
    return GiftCard.issue(
        code, purchaser_email="giver@example.com", credits=100, price=500, currency="XTR",
        expires_at=T0 + timedelta(days=expires_in),
    )  # fmt: skip


def test_credit_packs_round_trip_and_list_the_active_ones(uow: SqlUnitOfWork) -> None:
    starter = add_pack(uow, "Starter", 100, 500)
    add_pack(uow, "Old", 10, 50, active=False)
    with uow:
        assert uow.credit_packs.get(starter.id or 0).currency == "XTR"
        assert uow.credit_packs.get_by_name("Starter").id == starter.id  # type: ignore[union-attr]
        assert uow.credit_packs.get_by_name("Nope") is None
        with pytest.raises(NotFound):
            uow.credit_packs.get(999)
    assert [p.name for p in list_credit_packs(uow=uow).items] == ["Starter"]
    with pytest.raises(AlreadyExists):
        add_pack(uow, "Starter")


def test_a_payment_is_paid_once_and_its_charge_belongs_to_it_alone(uow: SqlUnitOfWork) -> None:
    user, pack = add_buyer(uow), add_pack(uow)
    with uow:
        first, second = (
            uow.payments.add(_payment(user, pack.id or 0)),
            uow.payments.add(_payment(user, pack.id or 0)),
        )
        first.mark_paid("ch_1", 500, "XTR", T0)
        assert uow.payments.mark_paid(first)
        assert not uow.payments.mark_paid(first)
        second.mark_paid("ch_1", 500, "XTR", T0)
        with pytest.raises(AlreadyUsed):
            uow.payments.mark_paid(second)
        found = uow.payments.get_by_charge(STARS, "ch_1")
        assert found is not None
        assert found.id == first.id
        assert (found.status, found.paid_at, found.metadata) == (
            PaymentStatus.PAID,
            T0,
            {"list_price": 500},
        )
        assert uow.payments.get_by_charge(PaymentProvider.WEBHOOK, "ch_1") is None
        uow.commit()


def test_a_payment_is_refunded_only_from_paid_with_its_metadata(uow: SqlUnitOfWork) -> None:
    user, pack = add_buyer(uow), add_pack(uow)
    with uow:
        payment = uow.payments.add(_payment(user, pack.id or 0))
        payment.mark_paid("ch_9", 500, "XTR", T0)
        uow.payments.mark_paid(payment)
        payment.mark_refunded(LATER)
        payment.metadata["refund"] = {"clawed_back": 3}
        assert uow.payments.mark_refunded(payment)
        assert not uow.payments.mark_refunded(payment)
        stored = uow.payments.get(payment.id or 0)
    assert (stored.status, stored.refunded_at) == (PaymentStatus.REFUNDED, LATER)
    assert stored.metadata == {"list_price": 500, "refund": {"clawed_back": 3}}


def test_coupon_codes_are_found_in_any_case(uow: SqlUnitOfWork) -> None:
    coupon = add_coupon(uow, "Summer-26", DiscountType.PERCENTAGE, 15)
    with uow:
        found = uow.coupons.get_by_code(" summer-26 ")
        assert found is not None
        assert found.id == coupon.id
        assert found.code == "SUMMER-26"
        assert uow.coupons.get_by_code("x") is None
    with pytest.raises(AlreadyExists):
        add_coupon(uow, "SUMMER-26", DiscountType.CREDITS, 5)


def test_claiming_a_coupon_use_stops_at_max_uses(uow: SqlUnitOfWork) -> None:
    add_coupon(uow, "TWICE", DiscountType.CREDITS, 5, max_uses=2)
    with uow:
        loaded = uow.coupons.get_by_code("TWICE")
        assert loaded is not None
        use = loaded.claim_use(1, T0)
        claims = [uow.coupons.claim_use(use) for _ in range(3)]
        uow.commit()
    assert claims == [True, True, False]
    assert used_count(uow, "TWICE") == 2


@pytest.mark.parametrize(
    ("active", "valid_until", "now"),
    [(False, None, T0), (True, None, T0 - timedelta(days=2)), (True, T0, T0)],
)
def test_an_inactive_or_out_of_window_coupon_cannot_be_claimed(
    uow: SqlUnitOfWork, active: bool, valid_until: datetime | None, now: datetime
) -> None:
    add_coupon(uow, "NOPE", DiscountType.CREDITS, 5, active=active, valid_until=valid_until)
    with pytest.raises(Expired):
        redeem_code(add_buyer(uow), "NOPE", uow=uow, clock=FakeClock(now))
    assert used_count(uow, "NOPE") == 0


def test_the_database_refuses_more_uses_than_max_uses(
    uow: SqlUnitOfWork, engine: sa.Engine
) -> None:
    add_coupon(uow, "ONCE", DiscountType.CREDITS, 5, max_uses=1)
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(sa.update(coupons).values(used_count=2))


def test_a_user_redeems_a_coupon_once_and_the_transaction_survives_a_second_try(
    uow: SqlUnitOfWork, engine: sa.Engine
) -> None:
    user, coupon = add_buyer(uow), add_coupon(uow, "ONE", DiscountType.CREDITS, 5)
    redemption = CouponRedemption(coupon_id=coupon.id or 0, user_id=user, credits_awarded=5)
    with uow:
        uow.coupons.add_redemption(redemption)
        with pytest.raises(AlreadyUsed):
            uow.coupons.add_redemption(
                CouponRedemption(coupon_id=coupon.id or 0, user_id=user, credits_awarded=5)
            )
        uow.commit()
    (stored,) = redemptions(engine, coupon.id or 0)
    assert (stored.id, stored.user_id, stored.credits_awarded) == (redemption.id, user, 5)
    assert stored.redeemed_at is not None


def test_a_gift_card_is_stored_by_its_hash_and_activated_once(uow: SqlUnitOfWork) -> None:
    with uow:
        card = uow.gift_cards.add(_card())
        card.activate()
        assert uow.gift_cards.activate(card)
        assert not uow.gift_cards.activate(card)
        found = uow.gift_cards.get_by_hash(hash_code("abcdefghjkmnpqrstuvw"))
        uow.commit()
    assert found is not None
    assert found.id == card.id
    assert (found.status, found.code_hint, found.credits) == (GiftCardStatus.ACTIVE, "TUVW", 100)
    with uow, pytest.raises(AlreadyExists):
        uow.gift_cards.add(_card())


def _activated(uow: SqlUnitOfWork, card: GiftCard) -> GiftCard:
    card.activate()
    uow.gift_cards.activate(card)
    return card


def test_a_gift_card_is_redeemed_only_while_active_and_unexpired(uow: SqlUnitOfWork) -> None:
    user, rival = add_buyer(uow), add_buyer(uow, "rival@example.com")
    with uow:
        pending = uow.gift_cards.add(_card("2222-2222-2222-2222-2222"))
        stale = _activated(uow, uow.gift_cards.add(_card("3333-3333-3333-3333-3333", 1)))
        good = _activated(uow, uow.gift_cards.add(_card()))
        uow.commit()
    for card, now, refusal in ((pending, T0, IllegalTransition), (stale, LATER, Expired)):
        with uow, pytest.raises(refusal):
            redeem_gift_card(uow, uow.gift_cards.get(card.id or 0), user, now)
    with uow:
        first, second = uow.gift_cards.get(good.id or 0), uow.gift_cards.get(good.id or 0)
        redeem_gift_card(uow, first, user, T0)
        with pytest.raises(AlreadyUsed):
            redeem_gift_card(uow, second, rival, T0)
        uow.commit()
    with uow:
        won = uow.gift_cards.get(good.id or 0)
        refused = [uow.gift_cards.get(c.id or 0).status for c in (pending, stale)]
    assert (won.status, won.redeemed_by, won.redeemed_at) == (GiftCardStatus.REDEEMED, user, T0)
    assert refused == [GiftCardStatus.PENDING, GiftCardStatus.ACTIVE]
    assert (balance(uow, user), balance(uow, rival)) == (100, 0)


def test_gift_cards_are_revoked_and_expired_only_from_the_right_status(uow: SqlUnitOfWork) -> None:
    with uow:
        pending = uow.gift_cards.add(_card("2222-2222-2222-2222-2222", expires_in=1))
        active = _activated(uow, uow.gift_cards.add(_card("3333-3333-3333-3333-3333", 1)))
        fresh = _activated(uow, uow.gift_cards.add(_card(expires_in=30)))
        assert uow.gift_cards.expire_due(LATER) == 1
        assert pending.revoke()
        assert uow.gift_cards.revoke(pending)
        assert active.revoke()
        assert not uow.gift_cards.revoke(active)
        statuses = [uow.gift_cards.get(c.id or 0).status for c in (pending, active, fresh)]
        uow.commit()
    assert statuses == [GiftCardStatus.EXPIRED, GiftCardStatus.EXPIRED, GiftCardStatus.ACTIVE]


def test_a_purchase_is_credited_once_and_a_refund_takes_back_what_is_left(
    uow: SqlUnitOfWork, clock: FakeClock
) -> None:
    user, pack = add_buyer(uow), add_pack(uow, credits=100, price=500)
    add_coupon(uow, "HALF", DiscountType.PERCENTAGE, 50)
    payment = start_purchase(user, pack.id or 0, STARS.value, "half", uow=uow, clock=clock)
    assert payment.amount == 250
    with pytest.raises(InvalidValue):
        confirm_payment(paid(payment, amount=500), uow=uow, clock=clock)
    confirm_payment(paid(payment, "tg_1"), uow=uow, clock=clock)
    replayed = confirm_payment(paid(payment, "tg_1"), uow=uow, clock=clock)
    assert (replayed.status, balance(uow, user), len(ledger(uow, user))) == (
        PaymentStatus.PAID,
        100,
        1,
    )
    spend(uow, user, 40)
    refunded = refund_purchase(STARS.value, "tg_1", uow=uow, clock=clock)
    again = refund_purchase(STARS.value, "tg_1", uow=uow, clock=clock)
    assert refunded.metadata["refund"] == {"clawed_back": 60, "unrecoverable": 40}
    assert again.metadata == refunded.metadata
    assert again.refunded_at == refunded.refunded_at
    assert (balance(uow, user), len(ledger(uow, user))) == (0, 3)
    with uow:
        lot = uow.wallets.lot("payment:telegram_stars:tg_1")
    assert lot is not None
    assert lot.remaining == 0


def test_codes_are_redeemed_once_on_the_database(uow: SqlUnitOfWork, clock: FakeClock) -> None:
    giver, friend = add_buyer(uow, "giver@example.com"), add_buyer(uow, "friend@example.com")
    add_coupon(uow, "WELCOME", DiscountType.CREDITS, 25)
    pack = add_pack(uow, credits=300, price=900)
    issued = buy_gift_card(pack.id or 0, "webhook", purchaser_user_id=giver, uow=uow, clock=clock)
    confirm_payment(paid(issued.payment, "wh_1"), uow=uow, clock=clock)
    assert redeem_code(friend, "welcome", uow=uow, clock=clock).balance == 25
    assert redeem_code(friend, issued.code.lower(), uow=uow, clock=clock).balance == 325
    for code in ("WELCOME", issued.code):
        with pytest.raises(AlreadyUsed):
            redeem_code(friend, code, uow=uow, clock=clock)
    assert (balance(uow, friend), len(ledger(uow, friend)), balance(uow, giver)) == (325, 2, 0)
    assert expire_gift_cards(T0 + timedelta(days=400), uow=uow) == 0
