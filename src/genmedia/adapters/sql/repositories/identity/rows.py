"""Rows of users and access tokens: `*_row` to write, `*_from_row` to read."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import (
    without_none,
)
from genmedia.adapters.sql.tables import access_tokens
from genmedia.domain.tokens import AccessToken, TokenKind
from genmedia.domain.user import User


def user_row(user: User) -> dict[str, Any]:
    """The column values of a user."""
    values = {
        "email": user.email,
        "name": user.name,
        "password_hash": user.password_hash,
        "is_admin": user.is_admin,
        "is_active": user.is_active,
        "priority": user.priority,
        "telegram_id": user.telegram_id,
        "social_login_provider": user.social_login_provider,
        "created_at": user.created_at,
        "last_login_at": user.last_login_at,
    }
    return without_none(values, "created_at")


def user_from_row(row: sa.Row[Any]) -> User:
    """The user a row holds."""
    return User(
        id=row.id,
        email=row.email,
        name=row.name,
        password_hash=row.password_hash,
        is_admin=row.is_admin,
        is_active=row.is_active,
        priority=row.priority,
        telegram_id=row.telegram_id,
        social_login_provider=row.social_login_provider,
        created_at=row.created_at,
        last_login_at=row.last_login_at,
    )


def token_row(token: AccessToken) -> dict[str, Any]:
    """The column values of an access token (its hash, never its secret)."""
    values = {
        "user_id": token.user_id,
        "kind": token.kind.value,
        "name": token.name,
        "token_hash": token.token_hash,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
    }
    return without_none(values, "created_at")


# The token's columns as read beside its user's: each name prefixed with "token_".
TOKEN_COLUMNS = [column.label(f"token_{column.name}") for column in access_tokens.c]


def token_from_row(row: sa.Row[Any]) -> AccessToken:
    """The access token a row of TOKEN_COLUMNS holds (without a secret)."""
    return AccessToken(
        id=row.token_id,
        user_id=row.token_user_id,
        kind=TokenKind(row.token_kind),
        name=row.token_name,
        token_hash=row.token_token_hash,
        created_at=row.token_created_at,
        expires_at=row.token_expires_at,
    )
