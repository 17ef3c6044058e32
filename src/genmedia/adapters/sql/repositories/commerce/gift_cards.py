"""Gift cards in SQL: found by code hash, every status change a guarded UPDATE."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository, unique_or_already_exists
from genmedia.adapters.sql.repositories.commerce.rows import gift_card_from_row, row_of
from genmedia.adapters.sql.tables import gift_cards as g
from genmedia.application.ports import GiftCardRepository
from genmedia.domain.errors import NotFound
from genmedia.domain.gift_cards import GiftCard, GiftCardStatus

ACTIVE, PENDING = GiftCardStatus.ACTIVE.value, GiftCardStatus.PENDING.value


def _unexpired(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(g.c.expires_at.is_(None), g.c.expires_at > now)


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

    def _move(self, card_id: int, target: str, *sources: str) -> bool:
        statement = (
            sa.update(g).where(g.c.id == card_id, g.c.status.in_(sources)).values(status=target)
        )
        return self._connection.execute(statement).rowcount == 1

    def activate(self, card_id: int) -> bool:
        """pending → active."""
        return self._move(card_id, ACTIVE, PENDING)

    def revoke(self, card_id: int) -> bool:
        """pending or active → expired."""
        return self._move(card_id, GiftCardStatus.EXPIRED.value, PENDING, ACTIVE)

    def redeem(self, code_hash: str, user_id: int, now: datetime) -> GiftCard | None:
        """active and unexpired → redeemed, returning the card if this call won it."""
        statement = (
            sa.update(g)
            .where(g.c.code_hash == code_hash, g.c.status == ACTIVE, _unexpired(now))
            .values(status=GiftCardStatus.REDEEMED.value, redeemed_by=user_id, redeemed_at=now)
            .returning(*g.c)
        )
        row = self._one(statement)
        return gift_card_from_row(row) if row else None

    def expire_due(self, now: datetime) -> int:
        """active and past expiry → expired."""
        statement = (
            sa.update(g)
            .where(g.c.status == ACTIVE, g.c.expires_at.is_not(None), g.c.expires_at <= now)
            .values(status=GiftCardStatus.EXPIRED.value)
        )
        return self._connection.execute(statement).rowcount
