"""Keyset pages in SQL: rows after a key in a fixed order (see application/pages.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

Order = Sequence[tuple[sa.ColumnElement[Any], bool]]
"""The columns a list is ordered by, each with whether it is descending; the id last."""


def after_key(order: Order, key: Sequence[Any]) -> sa.ColumnElement[bool]:
    """Rows that come after the row whose ordered values are `key`."""
    clauses = []
    for i, ((column, descending), value) in enumerate(zip(order, key, strict=True)):
        ties = [c == v for (c, _), v in zip(order[:i], key[:i], strict=True)]
        clauses.append(sa.and_(*ties, column < value if descending else column > value))
    return sa.or_(*clauses)


def keyset(
    query: sa.Select[Any], order: Order, after: Sequence[Any] | None, limit: int | None
) -> sa.Select[Any]:
    """The query in `order`, from after the key `after`, at most `limit` rows."""
    if after is not None:
        query = query.where(after_key(order, after))
    query = query.order_by(*(column.desc() if desc else column.asc() for column, desc in order))
    return query if limit is None else query.limit(limit)
