"""Pages of a list, read by keyset: from after the key of the last item shown, limit items.

A list is read in one fixed order, and an item's key is the tuple of the values it is
ordered by (its id last, so keys are unique). A page asks the store for one item more than
its limit: if it comes, there is a next page, which starts after the last item shown. Rows
inserted meanwhile take their own place in the order, so no item is shown twice or skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

import attrs

from genmedia.application.inputs import is_whole
from genmedia.domain.errors import InvalidValue

T = TypeVar("T")
Key = tuple[int, ...]

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@attrs.frozen
class Page(Generic[T]):
    """Some items of a list, and the key to read the next page after (None on the last)."""

    items: list[T]
    next_after: Key | None = None


def check_window(after: Key | None, limit: int, key_size: int) -> None:
    """Refuse a limit outside 1…MAX_LIMIT, or a key that is not one of this list's."""
    if not is_whole(limit) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidValue("limit", f"must be a whole number from 1 to {MAX_LIMIT}")
    if after is None:
        return
    stored = all(is_whole(v) and -(2**63) <= v < 2**63 for v in after)
    if len(after) != key_size or not stored:
        raise InvalidValue("cursor", "is not a cursor of this list")


def page_of(rows: Sequence[T], limit: int, key: Callable[[T], Key]) -> Page[T]:
    """The page of up to `limit` rows, from rows read with a limit of `limit + 1`."""
    items = list(rows[:limit])
    more = len(rows) > limit and bool(items)
    return Page(items, key(items[-1]) if more else None)


def time_key(moment: datetime) -> int:
    """A time as a key value: whole microseconds since the Unix epoch."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def time_of_key(value: int) -> datetime:
    """The time a `time_key` value stands for."""
    return EPOCH + timedelta(microseconds=value)
