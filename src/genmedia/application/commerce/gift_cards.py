"""Gift card use cases: buy one, redeem it once, expire the stale ones (SPEC WAL-6)."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from genmedia.application.commerce.purchases import pack_on_sale
from genmedia.application.ports import Clock, UnitOfWork
from genmedia.domain import postings
from genmedia.domain.gift_cards import GiftCard, already_redeemed, new_code
from genmedia.domain.payment_providers import provider_for
from genmedia.domain.purchases import Payment
from genmedia.domain.wallet import LedgerEntry

GIFT_CARD_VALIDITY = timedelta(days=365)


@attrs.frozen(kw_only=True)
class IssuedGiftCard:
    """A new pending card, its payment, and its code: the only time the code is shown."""

    card: GiftCard
    payment: Payment
    code: str = attrs.field(repr=False)


def buy_gift_card(
    credit_pack_id: int,
    provider: str | None = None,
    *,
    purchaser_user_id: int | None = None,
    purchaser_email: str | None = None,
    recipient_email: str | None = None,
    uow: UnitOfWork,
    clock: Clock,
    valid_for: timedelta = GIFT_CARD_VALIDITY,
) -> IssuedGiftCard:
    """A pending gift card for a pack and the pending payment that will activate it;
    without a `provider`, the one that takes the pack's currency."""
    now, code = clock.now(), new_code()
    with uow:
        if purchaser_user_id is not None:
            uow.users.get(purchaser_user_id)
        pack = pack_on_sale(uow, credit_pack_id)
        chosen = provider_for(pack.currency, provider)
        card = GiftCard.issue(
            code, purchaser_user_id=purchaser_user_id, purchaser_email=purchaser_email,
            recipient_email=recipient_email, credit_pack_id=pack.id, credits=pack.credits,
            price=pack.price, currency=pack.currency, expires_at=now + valid_for,
        )  # fmt: skip
        uow.gift_cards.add(card)
        payment = Payment.for_pack(pack, chosen, user_id=purchaser_user_id, gift_card_id=card.id)
        uow.payments.add(payment)
        uow.commit()
    return IssuedGiftCard(card=card, payment=payment, code=code)


def redeem_gift_card(uow: UnitOfWork, card: GiftCard, user_id: int, now: datetime) -> LedgerEntry:
    """Give an active card's credits to the user, inside the caller's transaction."""
    card.redeem(user_id, now)
    if not uow.gift_cards.redeem(card):
        raise already_redeemed(card)
    return uow.wallets.post(user_id, postings.gift_card(card))


def expire_gift_cards(now: datetime, *, uow: UnitOfWork) -> int:
    """Expire every active card past its expiry; return how many."""
    with uow:
        expired = uow.gift_cards.expire_due(now)
        uow.commit()
    return expired
