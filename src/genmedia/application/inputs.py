"""Checks of plain input values (from JSON, a query string or a caller) that name the field."""

from __future__ import annotations

import enum
from typing import Any, TypeVar

from genmedia.domain.errors import InvalidValue

E = TypeVar("E", bound=enum.Enum)
MAX_ID = 2**63 - 1
"""The largest id a database key can hold."""


def choice_of(kind: type[E], value: E | str | None, field: str) -> E | None:
    """The member of `kind` whose value is `value` (None stays None); InvalidValue otherwise."""
    if value is None or isinstance(value, kind):
        return value
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in kind)
        raise InvalidValue(field, f"must be one of {allowed}") from None


def is_whole(value: Any) -> bool:
    """Whether the value is an int (True and False are not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def record_id(value: Any, field: str) -> int:
    """An id: a whole number from 1 to MAX_ID."""
    if not is_whole(value) or not 1 <= value <= MAX_ID:
        raise InvalidValue(field, "must be an id (a whole number from 1)")
    return int(value)


def text(value: Any, field: str, max_length: int) -> str:
    """A string of at most `max_length` characters."""
    if not isinstance(value, str):
        raise InvalidValue(field, "must be text")
    if len(value) > max_length:
        raise InvalidValue(field, f"must be at most {max_length} characters")
    return value
