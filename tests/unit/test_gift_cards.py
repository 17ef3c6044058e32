"""Gift cards: codes, the status machine, and buying and redeeming them on fakes."""

from __future__ import annotations

import math
import re
from datetime import timedelta

import attrs
import pytest

from genmedia.application.commerce.gift_cards import buy_gift_card, expire_gift_cards
from genmedia.application.commerce.purchases import confirm_payment
from genmedia.application.commerce.redemptions import Redeemed, redeem_code
from genmedia.application.commerce.refunds import refund_purchase
from genmedia.domain.errors import AlreadyUsed, Expired, IllegalTransition, InvalidValue
from genmedia.domain.gift_cards import (
    ALPHABET,
    CODE_LENGTH,
    GiftCard,
    GiftCardStatus,
    hash_code,
    new_code,
)
from genmedia.domain.purchases import PaymentPurpose, PaymentStatus
from genmedia.domain.wallet import EntryKind, Links
from tests.commerce import T0, add_buyer, add_pack, balance, ledger, paid
from tests.fakes import FakeClock, FakeUnitOfWork

STARS = "telegram_stars"


def _card(**kw: object) -> GiftCard:
    fields: dict[str, object] = {
        "purchaser_email": "giver@example.com",
        "credits": 100,
        "price": 500,
        "currency": "XTR",
        "expires_at": T0 + timedelta(days=30),
        **kw,
    }
    return GiftCard.issue("ABCD-EFGH-JKMN-PQRS-TUVW", **fields)


def test_a_code_is_five_groups_of_four_from_an_alphabet_without_look_alikes() -> None:
    code = new_code()
    assert re.fullmatch(r"([2-9A-HJKMNP-Z]{4}-){4}[2-9A-HJKMNP-Z]{4}", code)
    assert not set("01OIL") & set(ALPHABET)


def test_a_code_carries_at_least_80_bits_and_codes_do_not_repeat() -> None:
    assert CODE_LENGTH * math.log2(len(ALPHABET)) >= 80
    assert len({new_code() for _ in range(2000)}) == 2000


def test_a_typed_code_matches_whatever_its_case_dashes_or_spaces() -> None:
    assert hash_code("abcd efgh-jkmn pqrs-tuvw\n") == hash_code("ABCD-EFGH-JKMN-PQRS-TUVW")


def test_a_card_keeps_only_the_hash_and_the_last_four_characters_of_its_code() -> None:
    card = _card()
    assert card.code_hint == "TUVW"
    assert card.code_hash == hash_code("ABCDEFGHJKMNPQRSTUVW")
    assert "ABCD" not in repr(attrs.asdict(card))


def test_a_card_needs_a_purchaser() -> None:
    with pytest.raises(InvalidValue) as raised:
        _card(purchaser_email=None)
    assert raised.value.field == "purchaser_email"


def test_a_paid_card_is_redeemed_once() -> None:
    card = _card()
    card.activate()
    card.redeem(7, T0)
    assert (card.status, card.redeemed_by, card.redeemed_at) == (GiftCardStatus.REDEEMED, 7, T0)
    with pytest.raises(AlreadyUsed):
        card.redeem(8, T0)
    with pytest.raises(IllegalTransition):
        card.activate()


def test_an_unpaid_card_cannot_be_redeemed() -> None:
    with pytest.raises(IllegalTransition):
        _card().redeem(7, T0)


def test_a_card_past_its_expiry_cannot_be_redeemed_and_can_be_expired() -> None:
    card = _card(expires_at=T0)
    card.activate()
    with pytest.raises(Expired):
        card.redeem(7, T0)
    card.expire(T0)
    assert card.status is GiftCardStatus.EXPIRED


def test_a_card_is_not_expired_before_its_time() -> None:
    card = _card()
    card.activate()
    with pytest.raises(InvalidValue):
        card.expire(T0)


def test_only_a_card_not_yet_redeemed_or_expired_is_revoked() -> None:
    pending, active, redeemed = _card(), _card(), _card()
    active.activate()
    redeemed.activate()
    redeemed.redeem(7, T0)
    assert pending.revoke()
    assert active.revoke()
    assert (pending.status, active.status) == (GiftCardStatus.EXPIRED, GiftCardStatus.EXPIRED)
    assert not pending.revoke()
    assert not redeemed.revoke()
    assert redeemed.status is GiftCardStatus.REDEEMED


def test_buying_a_card_makes_a_pending_card_a_pending_payment_and_shows_the_code_once(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    pack = add_pack(uow, credits=300, price=900)
    issued = buy_gift_card(
        pack.id or 0, STARS, purchaser_email="giver@example.com",
        recipient_email="Friend@Example.com", uow=uow, clock=clock,
    )  # fmt: skip
    card, payment = issued.card, issued.payment
    assert (card.status, card.credits, card.price) == (GiftCardStatus.PENDING, 300, 900)
    assert card.recipient_email == "friend@example.com"
    assert card.code_hash == hash_code(issued.code)
    assert card.expires_at == clock.now() + timedelta(days=365)
    assert (payment.purpose, payment.gift_card_id, payment.amount) == (
        PaymentPurpose.GIFT_CARD,
        card.id,
        900,
    )
    assert issued.code not in repr(issued)


def _active_card(uow: FakeUnitOfWork, clock: FakeClock) -> tuple[str, int, int]:
    pack = add_pack(uow, credits=300, price=900)
    buyer = add_buyer(uow, "giver@example.com")
    issued = buy_gift_card(pack.id or 0, STARS, purchaser_user_id=buyer, uow=uow, clock=clock)
    confirm_payment(paid(issued.payment), uow=uow, clock=clock)
    return issued.code, issued.card.id or 0, buyer


def test_paying_for_a_card_activates_it_and_credits_nobody(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _, card_id, buyer = _active_card(uow, clock)
    with uow:
        assert uow.gift_cards.get(card_id).status is GiftCardStatus.ACTIVE
    assert balance(uow, buyer) == 0


def test_redeeming_a_card_credits_the_redeemer_under_the_card_reference(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    code, card_id, _ = _active_card(uow, clock)
    friend = add_buyer(uow, "friend@example.com")
    typed = code.lower().replace("-", " ")
    assert redeem_code(friend, typed, uow=uow, clock=clock) == Redeemed(
        kind="gift_card", credits_awarded=300, balance=300
    )
    (entry,) = ledger(uow, friend)
    assert (entry.kind, entry.reference_id) == (EntryKind.GIFT_CARD, f"gift_card:{card_id}")
    assert entry.links == Links(gift_card_id=card_id)


def test_replaying_a_card_redemption_is_refused_and_changes_nothing(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    code, _, buyer = _active_card(uow, clock)
    friend = add_buyer(uow, "friend@example.com")
    redeem_code(friend, code, uow=uow, clock=clock)
    for user in (friend, buyer):
        with pytest.raises(AlreadyUsed):
            redeem_code(user, code, uow=uow, clock=clock)
    assert (balance(uow, friend), balance(uow, buyer)) == (300, 0)


def test_an_unpaid_or_expired_card_is_refused(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    pack = add_pack(uow)
    friend = add_buyer(uow, "friend@example.com")
    issued = buy_gift_card(
        pack.id or 0, STARS, purchaser_email="a@example.com", uow=uow, clock=clock
    )
    with pytest.raises(IllegalTransition):
        redeem_code(friend, issued.code, uow=uow, clock=clock)
    confirm_payment(paid(issued.payment), uow=uow, clock=clock)
    clock.advance(timedelta(days=366).total_seconds())
    with pytest.raises(Expired):
        redeem_code(friend, issued.code, uow=uow, clock=clock)
    assert balance(uow, friend) == 0


def test_the_sweeper_expires_only_active_cards_past_their_expiry(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _, card_id, buyer = _active_card(uow, clock)
    with uow:
        pack = uow.credit_packs.get_by_name("Starter")
    assert pack is not None
    unpaid = buy_gift_card(pack.id or 0, STARS, purchaser_user_id=buyer, uow=uow, clock=clock)
    assert expire_gift_cards(clock.now(), uow=uow) == 0
    later = clock.now() + timedelta(days=365)
    assert expire_gift_cards(later, uow=uow) == 1
    assert expire_gift_cards(later, uow=uow) == 0
    with uow:
        assert uow.gift_cards.get(card_id).status is GiftCardStatus.EXPIRED
        assert uow.gift_cards.get(unpaid.card.id or 0).status is GiftCardStatus.PENDING


def test_refunding_a_card_payment_withdraws_the_unredeemed_card(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    code, _, _ = _active_card(uow, clock)
    payment = refund_purchase(STARS, "ch_1", uow=uow, clock=clock)
    assert payment.status is PaymentStatus.REFUNDED
    assert payment.metadata["refund"] == {"gift_card_revoked": True, "unrecoverable": 0}
    with pytest.raises(Expired):
        redeem_code(add_buyer(uow, "late@example.com"), code, uow=uow, clock=clock)
