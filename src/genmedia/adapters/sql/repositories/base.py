"""What the SQL repositories share: a connection and unique-violation handling."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from genmedia.domain.errors import AlreadyExists, InvalidValue

UNIQUE_VIOLATION_SQLSTATE = "23505"
FOREIGN_KEY_VIOLATION_SQLSTATE = "23503"


class SqlRepository:
    """A repository working inside the unit of work's transaction; it never commits."""

    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection

    def _one(self, statement: sa.Executable) -> sa.Row[Any] | None:
        return self._connection.execute(statement).one_or_none()

    def _all(self, statement: sa.Executable) -> list[sa.Row[Any]]:
        return list(self._connection.execute(statement).all())


def is_unique_violation(error: IntegrityError) -> bool:
    """Whether the database refused a row because a unique key was taken."""
    original = error.orig
    if getattr(original, "sqlstate", None) == UNIQUE_VIOLATION_SQLSTATE:
        return True
    return getattr(original, "sqlite_errorname", None) == "SQLITE_CONSTRAINT_UNIQUE"


@contextmanager
def unique_or_already_exists(
    connection: sa.Connection, kind: str, key: object, *, savepoint: bool = True
) -> Iterator[None]:
    """Run the block in a SAVEPOINT; a unique violation becomes AlreadyExists.

    The savepoint is rolled back on failure, so the outer transaction stays usable. Without
    `savepoint` (one round trip less each way) a violation leaves the transaction to be
    rolled back.
    """
    try:
        if not savepoint:
            yield
            return
        with connection.begin_nested():
            yield
    except IntegrityError as error:
        if is_unique_violation(error):
            raise AlreadyExists(kind, key) from error
        raise


def is_foreign_key_violation(error: IntegrityError) -> bool:
    """Whether the database refused a row because a row it refers to is gone."""
    original = error.orig
    if getattr(original, "sqlstate", None) == FOREIGN_KEY_VIOLATION_SQLSTATE:
        return True
    return getattr(original, "sqlite_errorname", None) == "SQLITE_CONSTRAINT_FOREIGNKEY"


@contextmanager
def written(kind: str, key: object) -> Iterator[None]:
    """Run a write of `kind` `key`: a unique violation becomes AlreadyExists, a reference to
    a row deleted meanwhile InvalidValue (the transaction is left to be rolled back)."""
    try:
        yield
    except IntegrityError as error:
        if is_unique_violation(error):
            raise AlreadyExists(kind, key) from error
        if is_foreign_key_violation(error):
            raise InvalidValue(kind, "refers to an object that was just deleted") from error
        raise


def without_none(values: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """The values, leaving out `keys` whose value is None so the database default applies."""
    return {k: v for k, v in values.items() if not (k in keys and v is None)}


def row_values(row: sa.Row[Any]) -> dict[str, Any]:
    """The row's values by column name; three times as fast as reading them one by one as
    attributes of the row, which matters for the rows a worker reads in bulk."""
    return dict(zip(row._fields, row, strict=True))
