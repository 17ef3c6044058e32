"""Access tokens in SQL."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository
from genmedia.adapters.sql.repositories.identity.rows import (
    TOKEN_COLUMNS,
    token_from_row,
    token_row,
    user_from_row,
)
from genmedia.adapters.sql.tables import access_tokens, users
from genmedia.application.ports import AccessTokenRepository
from genmedia.domain.errors import NotFound
from genmedia.domain.tokens import AccessToken, TokenKind
from genmedia.domain.user import User


@functools.cache
def _holder() -> sa.Select[Any]:
    """A token by hash with its live user, in one round trip."""
    return (
        sa.select(users, *TOKEN_COLUMNS)
        .join(access_tokens, access_tokens.c.user_id == users.c.id)
        .where(access_tokens.c.token_hash == sa.bindparam("hash"), users.c.deleted_at.is_(None))
    )


class SqlAccessTokenRepository(SqlRepository, AccessTokenRepository):
    """Sessions and API tokens, found by the hash of their secret."""

    def add(self, token: AccessToken) -> AccessToken:
        """Insert a token and give it its id."""
        statement = (
            sa.insert(access_tokens)
            .values(token_row(token))
            .returning(access_tokens.c.id, access_tokens.c.created_at)
        )
        row = self._connection.execute(statement).one()
        token.stored_as(row.id, created_at=row.created_at)
        return token

    def holder(self, token_hash: str) -> tuple[AccessToken, User] | None:
        """The token with this hash and its live user, if both exist."""
        row = self._connection.execute(_holder(), {"hash": token_hash}).one_or_none()
        return None if row is None else (token_from_row(row), user_from_row(row))

    def delete(self, token_id: int, user_id: int, kind: TokenKind | None = None) -> None:
        """Delete the user's token (of `kind`, if given), or NotFound."""
        statement = sa.delete(access_tokens).where(
            access_tokens.c.id == token_id, access_tokens.c.user_id == user_id
        )
        if kind is not None:
            statement = statement.where(access_tokens.c.kind == kind.value)
        if self._connection.execute(statement).rowcount == 0:
            raise NotFound("token", token_id)

    def delete_expired(self, now: datetime, limit: int) -> int:
        """Delete up to `limit` tokens expired before `now`; how many were deleted."""
        expired = (
            sa.select(access_tokens.c.id)
            .where(access_tokens.c.expires_at <= now)
            .limit(limit)
            .scalar_subquery()
        )
        statement = sa.delete(access_tokens).where(access_tokens.c.id.in_(expired))
        return int(self._connection.execute(statement).rowcount)
