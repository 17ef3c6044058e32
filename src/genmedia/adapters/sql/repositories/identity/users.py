"""Users in SQL."""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import (
    SqlRepository,
    unique_or_already_exists,
)
from genmedia.adapters.sql.repositories.identity.rows import user_from_row, user_row
from genmedia.adapters.sql.repositories.pages import keyset
from genmedia.adapters.sql.tables import users
from genmedia.application.ports import UserRepository
from genmedia.domain.errors import NotFound
from genmedia.domain.user import User


@functools.cache
def _live_user() -> sa.Select[Any]:
    return sa.select(users).where(users.c.id == sa.bindparam("user"), users.c.deleted_at.is_(None))


class SqlUserRepository(SqlRepository, UserRepository):
    """Live (not soft-deleted) users."""

    def add(self, user: User) -> User:
        """Insert a user and give it its id; AlreadyExists if the e-mail is taken."""
        statement = (
            sa.insert(users).values(user_row(user)).returning(users.c.id, users.c.created_at)
        )
        with unique_or_already_exists(self._connection, "user", user.email):
            row = self._connection.execute(statement).one()
        user.stored_as(row.id, created_at=row.created_at)
        return user

    def get(self, user_id: int) -> User:
        """The user with this id, or NotFound."""
        row = self._connection.execute(_live_user(), {"user": user_id}).one_or_none()
        if row is None:
            raise NotFound("user", user_id)
        return user_from_row(row)

    def get_by_email(self, email: str) -> User | None:
        """The user with this e-mail, if any."""
        key = email.strip().lower()
        row = self._one(sa.select(users).where(users.c.email == key, users.c.deleted_at.is_(None)))
        return None if row is None else user_from_row(row)

    def save_login(self, user: User) -> None:
        """Store the user's `last_login_at`."""
        statement = (
            sa.update(users)
            .where(users.c.id == user.id)
            .values(last_login_at=user.last_login_at, updated_at=sa.func.now())
        )
        self._connection.execute(statement)

    def page(self, after: int | None, limit: int, email: str | None = None) -> list[User]:
        """Live users by id descending, their e-mail containing `email` when given."""
        query = sa.select(users).where(users.c.deleted_at.is_(None))
        if email:
            query = query.where(users.c.email.contains(email.strip().lower(), autoescape=True))
        key = None if after is None else (after,)
        return [
            user_from_row(r) for r in self._all(keyset(query, ((users.c.id, True),), key, limit))
        ]
