"""Rows of users: `user_row` to write, `user_from_row` to read."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import (
    without_none,
)
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
