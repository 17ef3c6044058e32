"""Admin: gift cards (SPEC WAL-6), issued, listed, changed and withdrawn, each write audited.

Only a card's code hash is stored: an admin sees the code once, in the answer that issues
the card, and never in a listing. A card an admin issues is active at once, with the
admin as its purchaser. DELETE withdraws a pending or active card (it expires); a redeemed
card stays as it is, for the ledger entry that names it.
"""

from __future__ import annotations

from typing import Any

import attrs

from genmedia.application.admin import fields as f
from genmedia.application.admin.audit import audit
from genmedia.application.commerce.gift_cards import GIFT_CARD_VALIDITY
from genmedia.application.errors import StaleAggregate
from genmedia.application.pages import DEFAULT_LIMIT, Key, Page, check_window, page_of
from genmedia.application.ports import Clock, UnitOfWork
from genmedia.application.retry import retry_stale
from genmedia.domain.errors import InvalidValue, NotFound
from genmedia.domain.gift_cards import GiftCard, new_code
from genmedia.domain.purchases import CreditPack

ENTITY = "gift_card"
HIDDEN = ("code_hash",)
CHANGES: dict[str, f.Reader] = {
    "recipient_email": f.optional(f.string),
    "expires_at": f.optional(f.moment),
}
FIELDS: dict[str, f.Reader] = {
    **CHANGES,
    "credit_pack_id": f.identifier,
    "credits": f.whole,
    "price": f.whole,
    "currency": f.string,
}
DEFAULT_CURRENCY = "USD"


@attrs.frozen(kw_only=True)
class IssuedCard:
    """A card an admin issued, and its code: the only time the code is shown."""

    card: GiftCard
    code: str = attrs.field(repr=False)


def list_gift_cards(
    *, uow: UnitOfWork, after: Key | None = None, limit: int = DEFAULT_LIMIT
) -> Page[GiftCard]:
    """Every card, newest first."""
    check_window(after, limit, 1)
    with uow:
        rows = uow.gift_cards.page(after, limit + 1)
    return page_of(rows, limit, lambda c: (c.id or 0,))


def get_gift_card(card_id: int, *, uow: UnitOfWork) -> GiftCard:
    """The card with this id, or NotFound."""
    with uow:
        return uow.gift_cards.get(card_id)


def issue_gift_card(actor_id: int, document: Any, *, uow: UnitOfWork, clock: Clock) -> IssuedCard:
    """An active card, of a credit pack's credits or of `credits` (free unless a price is
    given), valid for a year unless `expires_at` says otherwise; its code, shown once."""
    values, now, code = f.read(document, FIELDS), clock.now(), new_code()
    with uow:
        pack_id = values.pop("credit_pack_id", None)
        if pack_id is not None:
            pack = _pack(uow, pack_id)
            terms = {"credits": pack.credits, "price": pack.price, "currency": pack.currency}
            values = {**terms, **values, "credit_pack_id": pack.id}
        if "credits" not in values:
            raise InvalidValue("credits", "is required without a credit_pack_id")
        values = {"price": 0, "currency": DEFAULT_CURRENCY, **values}
        values.setdefault("expires_at", now + GIFT_CARD_VALIDITY)
        card = GiftCard.issue(code, purchaser_user_id=actor_id, **values)
        card.activate()
        uow.gift_cards.add(card)
        audit(uow, actor_id, "create", ENTITY, card.id, None, f.state_of(card, HIDDEN), now)
        uow.commit()
    return IssuedCard(card=card, code=code)


def _pack(uow: UnitOfWork, pack_id: int) -> CreditPack:
    try:
        return uow.credit_packs.get(pack_id)
    except NotFound:
        raise InvalidValue("credit_pack_id", f"credit pack {pack_id} not found") from None


def update_gift_card(
    actor_id: int | None, card_id: int, document: Any, *, uow: UnitOfWork, clock: Clock
) -> GiftCard:
    """Change a pending or active card's recipient or expiry."""
    changes = f.read(document, CHANGES)

    def attempt() -> GiftCard:
        with uow:
            card = uow.gift_cards.get(card_id)
            revised = card.revised(changes)
            before, after = f.state_of(card, HIDDEN), f.state_of(revised, HIDDEN)
            if before == after:
                return revised
            if not uow.gift_cards.amend(revised):
                raise StaleAggregate(f"gift card {card_id} was redeemed while it was changed")
            audit(uow, actor_id, "update", ENTITY, card_id, before, after, clock.now())
            uow.commit()
        return revised

    return retry_stale(attempt)


def delete_gift_card(actor_id: int | None, card_id: int, *, uow: UnitOfWork, clock: Clock) -> None:
    """Withdraw a pending or active card (`GiftCard.withdraw`); a redeemed one is a conflict."""

    def attempt() -> None:
        with uow:
            card = uow.gift_cards.get(card_id)
            before = f.state_of(card, HIDDEN)
            if not card.withdraw():
                return
            if not uow.gift_cards.revoke(card):
                raise StaleAggregate(f"gift card {card_id} was redeemed while it was withdrawn")
            after = f.state_of(card, HIDDEN)
            audit(uow, actor_id, "delete", ENTITY, card_id, before, after, clock.now())
            uow.commit()

    retry_stale(attempt)
