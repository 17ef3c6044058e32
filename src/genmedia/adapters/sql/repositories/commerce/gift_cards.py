"""Gift cards in SQL: found by code hash, every status change a guarded UPDATE."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository, unique_or_already_exists
from genmedia.adapters.sql.repositories.commerce.rows import gift_card_from_row, row_of
from genmedia.adapters.sql.repositories.pages import keyset
from genmedia.adapters.sql.tables import gift_cards as g
from genmedia.application.ports import GiftCardRepository
from genmedia.domain.errors import NotFound
from genmedia.domain.gift_cards import EDITABLE, GiftCard, GiftCardStatus

ACTIVE = GiftCardStatus.ACTIVE.value


class SqlGiftCardRepository(SqlRepository, GiftCardRepository):
    """Gift cards; the plain code is never stored."""

    def add(self, card: GiftCard) -> GiftCard:
        """Insert a card; AlreadyExists if its code hash is taken."""
        statement = sa.insert(g).values(row_of(card)).returning(g.c.id, g.c.created_at)
        with unique_or_already_exists(self._connection, "gift card", card.code_hint):
            card_id, created_at = self._connection.execute(statement).one()
            card.stored_as(card_id, created_at=created_at)
        return card

    def get(self, card_id: int) -> GiftCard:
        """The card with this id, or NotFound."""
        row = self._one(sa.select(g).where(g.c.id == card_id))
        if row is None:
            raise NotFound("gift card", card_id)
        return gift_card_from_row(row)

    def get_by_hash(self, code_hash: str) -> GiftCard | None:
        """The card with this code hash, if any."""
        row = self._one(sa.select(g).where(g.c.code_hash == code_hash))
        return gift_card_from_row(row) if row else None

    def _write(self, card: GiftCard, *leaving: GiftCardStatus) -> bool:
        """Write the card's move where its row is still in a status the move leaves."""
        statement = (
            sa.update(g)
            .where(g.c.id == card.id, g.c.status.in_([status.value for status in leaving]))
            .values(
                status=card.status.value, redeemed_by=card.redeemed_by, redeemed_at=card.redeemed_at
            )
        )
        return self._connection.execute(statement).rowcount == 1

    def activate(self, card: GiftCard) -> bool:
        """Write an activated card, if its row is still pending."""
        return self._write(card, GiftCardStatus.PENDING)

    def redeem(self, card: GiftCard) -> bool:
        """Write a redeemed card, if its row is still active (another caller has not won it)."""
        return self._write(card, GiftCardStatus.ACTIVE)

    def revoke(self, card: GiftCard) -> bool:
        """Write a revoked card, if its row is still pending or active."""
        return self._write(card, GiftCardStatus.PENDING, GiftCardStatus.ACTIVE)

    def expire_due(self, now: datetime) -> int:
        """active and past expiry → expired: the SQL form of `GiftCard.expire`, for a sweep
        of every card at once (tests/integration/contracts/test_commerce_contracts.py ties
        the two)."""
        statement = (
            sa.update(g)
            .where(g.c.status == ACTIVE, g.c.expires_at.is_not(None), g.c.expires_at <= now)
            .values(status=GiftCardStatus.EXPIRED.value)
        )
        return self._connection.execute(statement).rowcount

    def page(self, after: tuple[int, ...] | None, limit: int) -> list[GiftCard]:
        """Every card by id descending."""
        query = keyset(sa.select(g), ((g.c.id, True),), after, limit)
        return [gift_card_from_row(row) for row in self._all(query)]

    def amend(self, card: GiftCard) -> bool:
        """Write the recipient and expiry where the card is still pending or active."""
        usable = [GiftCardStatus.PENDING.value, ACTIVE]
        statement = (
            sa.update(g)
            .where(g.c.id == card.id, g.c.status.in_(usable))
            .values({name: getattr(card, name) for name in sorted(EDITABLE)})
        )
        return self._connection.execute(statement).rowcount == 1
