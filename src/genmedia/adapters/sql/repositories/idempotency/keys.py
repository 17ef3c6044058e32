"""Idempotency keys in SQL: the unique (scope, key) settles which call claims a key."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository, unique_or_already_exists
from genmedia.adapters.sql.repositories.idempotency.rows import (
    answer_values,
    key_from_row,
    key_row,
)
from genmedia.adapters.sql.tables import idempotency_keys
from genmedia.application.ports import IdempotencyKeys
from genmedia.domain.errors import AlreadyExists
from genmedia.domain.idempotency import IdempotencyKey, StoredAnswer

T = idempotency_keys


def _this(scope: str, key: str) -> sa.ColumnElement[bool]:
    return sa.and_(T.c.scope == scope, T.c.key == key)


class SqlIdempotencyKeys(SqlRepository, IdempotencyKeys):
    """Claimed keys and their answers."""

    def claim(self, key: IdempotencyKey, now: datetime) -> bool:
        """Insert the key unless a live one exists (an expired one is replaced); whether
        this call claimed it."""
        self._connection.execute(
            sa.delete(T).where(_this(key.scope, key.key), T.c.expires_at <= now)
        )
        try:
            with unique_or_already_exists(self._connection, "idempotency key", key.key):
                self._connection.execute(sa.insert(T).values(key_row(key)))
        except AlreadyExists:
            return False
        return True

    def get(self, scope: str, key: str) -> IdempotencyKey | None:
        """The claimed key, with its answer once it has one."""
        row = self._one(sa.select(T).where(_this(scope, key)))
        return None if row is None else key_from_row(row)

    def answer(self, scope: str, key: str, answer: StoredAnswer) -> None:
        """Store the answer of the call that claimed the key (once)."""
        statement = (
            sa.update(T)
            .where(_this(scope, key), T.c.status_code.is_(None))
            .values(answer_values(answer))
        )
        self._connection.execute(statement)

    def release(self, scope: str, key: str) -> None:
        """Forget a claimed key that has no answer."""
        self._connection.execute(sa.delete(T).where(_this(scope, key), T.c.status_code.is_(None)))

    def delete_expired(self, now: datetime, limit: int) -> int:
        """Delete up to `limit` keys expired at `now`; how many were deleted."""
        expired = sa.select(T.c.id).where(T.c.expires_at <= now).limit(limit).scalar_subquery()
        return int(self._connection.execute(sa.delete(T).where(T.c.id.in_(expired))).rowcount)
