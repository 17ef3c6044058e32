"""Admin bodies as JSON documents, read field by field, and objects as audit states.

An admin's create or change is a JSON object; `read` checks the type of each field it
names and names every bad one at once, before the domain checks the values. A change
names only the fields it changes, and `null` clears a field that may be empty.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from genmedia.application.inputs import choice_of, is_whole, record_id, text
from genmedia.domain.errors import FieldError, InvalidValue, raise_collected

Reader = Callable[[Any, str], Any]
MAX_TEXT = 2000
MAX_WHOLE = 10**12


def whole(value: Any, field: str) -> int:
    """A whole number within ±MAX_WHOLE (the domain sets the bounds it needs)."""
    if not is_whole(value) or not -MAX_WHOLE <= value <= MAX_WHOLE:
        raise InvalidValue(field, "must be a whole number")
    return int(value)


def flag(value: Any, field: str) -> bool:
    """true or false."""
    if not isinstance(value, bool):
        raise InvalidValue(field, "must be true or false")
    return value


def string(value: Any, field: str) -> str:
    """Text of at most MAX_TEXT characters."""
    return text(value, field, MAX_TEXT)


def moment(value: Any, field: str) -> datetime:
    """An RFC 3339 time with its offset, in UTC."""
    try:
        parsed = datetime.fromisoformat(text(value, field, 64).replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise InvalidValue(field, "must be an RFC 3339 time with an offset, e.g. 2027-01-01T00:00Z")
    return parsed.astimezone(UTC)


def member(kind: type[enum.Enum]) -> Reader:
    """A reader of one of the values of `kind`."""
    return lambda value, field: choice_of(kind, string(value, field), field)


def optional(reader: Reader) -> Reader:
    """A reader that also takes null."""
    return lambda value, field: None if value is None else reader(value, field)


identifier: Reader = record_id


def read(
    document: Any, readers: Mapping[str, Reader], required: Iterable[str] = ()
) -> dict[str, Any]:
    """The fields of a JSON object, each read by its reader; InvalidInput naming every
    unknown, missing or mistyped field."""
    if not isinstance(document, dict):
        raise InvalidValue("body", "must be a JSON object")
    values: dict[str, Any] = {}
    errors: list[FieldError] = [
        InvalidValue(name, "is required") for name in required if name not in document
    ]
    for name, value in document.items():
        try:
            if name not in readers:
                raise InvalidValue(str(name), "is not a field here")
            values[name] = readers[name](value, name)
        except FieldError as error:
            errors.append(error)
    raise_collected(errors)
    return values


def state_of(obj: Any, hidden: Iterable[str] = ()) -> dict[str, Any]:
    """An object's fields as JSON values (times in RFC 3339, enums by value), for the audit
    log; `hidden` fields are left out."""
    left_out = {"id", *hidden}
    fields = attrs.asdict(obj, recurse=False, filter=lambda a, _: a.name not in left_out)
    return {name: _plain(value) for name, value in fields.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value
