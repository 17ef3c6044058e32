"""Many rows in one PostgreSQL statement of fixed text: each field travels as one array.

A multi-row VALUES list (what SQLAlchemy builds for an INSERT of many rows) has a different
text for every row count and a bind parameter per value, so the driver parses it again on
each call and the server plans it again. `unnest(:a::T[], :b::U[], …)` has one parameter per
field whatever the row count: its text is parsed once per connection, and the server
prepares it after a few runs. SQLite has no arrays; its repositories keep plain statements.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

ORDINAL = "ordinal"


def on_postgresql(connection: sa.Connection) -> bool:
    """Whether the connection is to PostgreSQL."""
    return connection.dialect.name == "postgresql"


def as_arrays(connection: sa.Connection, rows: Sequence[object]) -> bool:
    """Whether to write these rows with one unnest statement: several of them, on PostgreSQL.

    A single row goes through the plain statement, which is cheaper for the server (no
    unnest, no sort) while it holds the row locks of a hot wallet."""
    return len(rows) > 1 and on_postgresql(connection)


def unnested(
    table: sa.Table, fields: Mapping[str, str], *, name: str = "given"
) -> sa.TableValuedAlias:
    """`unnest(...) WITH ORDINALITY AS given(field, …, ordinal)`: per field (its bind name)
    an array typed like the named column of `table`; `ordinal` numbers the rows from 1."""
    arrays = [
        sa.bindparam(field, type_=postgresql.ARRAY(table.c[column].type))
        for field, column in fields.items()
    ]
    rows = sa.func.unnest(*arrays).table_valued(*fields, with_ordinality=ORDINAL)
    return rows.render_derived(name=name)


def arrays(rows: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> dict[str, list[Any]]:
    """The bind values of an unnest: per field, its values over the rows in order."""
    return {field: [row[field] for row in rows] for field in fields}


def _null_by_default(table: sa.Table, field: str, values: Sequence[Mapping[str, Any]]) -> bool:
    """Whether every row leaves the column NULL and so would its omission: it has no default.
    Such a column is left out of the INSERT rather than sent as an array of NULLs."""
    column = table.c[field]
    if column.default is not None or column.server_default is not None:
        return False
    return all(row[field] is None for row in values)


@functools.lru_cache(maxsize=64)
def _insert(table: sa.Table, fields: tuple[str, ...]) -> sa.Insert:
    given = unnested(table, {field: field for field in fields})
    rows = sa.select(*(given.c[field] for field in fields)).order_by(given.c[ORDINAL])
    return (
        sa.insert(table).from_select(list(fields), rows).returning(table.c.id, table.c.created_at)
    )


def insert_all(
    connection: sa.Connection, table: sa.Table, values: Sequence[Mapping[str, Any]]
) -> list[sa.Row[Any]]:
    """Insert rows that all have the same fields in one statement; per row, in the order
    given, its id and creation time. Columns NULL in every row and without a default are
    left out.

    The rows are inserted in their ordinal's order, so their ids, drawn from a sequence,
    rise in that order: sorted by id, the RETURNING rows are the rows as given (how
    SQLAlchemy matches RETURNING rows on PostgreSQL).
    """
    fields = tuple(field for field in values[0] if not _null_by_default(table, field, values))
    result = connection.execute(_insert(table, fields), arrays(values, fields))
    return sorted(result.all(), key=lambda row: row.id)
