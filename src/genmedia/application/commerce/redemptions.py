"""Redeeming a code: a credits coupon or a gift card (API POST /v1/wallet/redeem)."""

from __future__ import annotations

from typing import Literal

import attrs

from genmedia.application.commerce.coupons import redeem_coupon
from genmedia.application.commerce.gift_cards import redeem_gift_card
from genmedia.application.ports import Clock, UnitOfWork
from genmedia.domain.errors import NotFound
from genmedia.domain.gift_cards import hash_code, normalise_code


@attrs.frozen(kw_only=True)
class Redeemed:
    """What a redeemed code gave, and the balance after it."""

    kind: Literal["coupon", "gift_card"]
    credits_awarded: int
    balance: int


def redeem_code(user_id: int, code: str, *, uow: UnitOfWork, clock: Clock) -> Redeemed:
    """Credit the user with a credits coupon or a gift card, in one transaction.

    NotFound for an unknown code; AlreadyUsed or Expired (409) for one used up, used by this
    user before, or past its validity; InvalidValue naming `code` for a discount coupon.
    """
    now = clock.now()
    with uow:
        uow.users.get(user_id)
        coupon = uow.coupons.get_by_code(code)
        if coupon is not None:
            entry = redeem_coupon(uow, coupon, user_id, now)
        else:
            card = uow.gift_cards.get_by_hash(hash_code(code))
            if card is None:
                raise NotFound("code", "…" + normalise_code(code)[-4:])
            entry = redeem_gift_card(uow, card, user_id, now)
        uow.commit()
    kind: Literal["coupon", "gift_card"] = "coupon" if coupon is not None else "gift_card"
    return Redeemed(kind=kind, credits_awarded=entry.amount, balance=entry.balance_after)
