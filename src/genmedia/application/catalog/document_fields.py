"""The fields of a catalog document's records and how each value is checked.

A check takes a value, its path in the document (``templates[3].price``) and the list of
problems found so far; it appends what is wrong with the value and returns the value in its
canonical form (objects with sorted keys, times in UTC), so that two documents saying the
same thing compare equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from genmedia.domain.errors import FieldError, InvalidValue

Problems = list[FieldError]
Check = Callable[[Any, str, Problems], Any]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


@attrs.frozen
class Field:
    """A named value of a record, with its check and its default (REQUIRED if none)."""

    name: str
    check: Check
    default: Any = REQUIRED


def problem(problems: Problems, path: str, message: str) -> None:
    """Note one problem at a path of the document."""
    problems.append(InvalidValue(path, message))


def canonical(value: Any) -> Any:
    """A JSON value with the keys of every object in it sorted."""
    if isinstance(value, Mapping):
        return {key: canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    return value


def _typed(accepts: Callable[[Any], bool], message: str) -> Check:
    def check(value: Any, path: str, problems: Problems) -> Any:
        if not accepts(value):
            problem(problems, path, message)
        return canonical(value)

    return check


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


name = _typed(lambda v: isinstance(v, str) and bool(v.strip()), "must be a non-empty string")
string = _typed(lambda v: isinstance(v, str), "must be a string")
optional_string = _typed(lambda v: v is None or isinstance(v, str), "must be a string or null")
boolean = _typed(lambda v: isinstance(v, bool), "must be true or false")
mapping = _typed(lambda v: isinstance(v, dict), "must be an object")
strings = _typed(
    lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
    "must be a list of strings",
)
optional_name = _typed(
    lambda v: v is None or (isinstance(v, str) and bool(v.strip())),
    "must be a non-empty string or null",
)


def json_value(value: Any, path: str, problems: Problems) -> Any:
    """Any JSON value (a section that takes one checks it further)."""
    return canonical(value)


def integer(minimum: int | None = None) -> Check:
    """A whole number, at least `minimum` if given."""
    if minimum is None:
        return _typed(_is_int, "must be an integer")
    return _typed(lambda v: _is_int(v) and v >= minimum, f"must be an integer ≥ {minimum}")


def one_of(values: Iterable[str]) -> Check:
    """One of some strings (an enum's values)."""
    allowed = sorted(values)
    return _typed(lambda v: v in allowed, f"must be one of {', '.join(allowed)}")


def moment(value: Any, path: str, problems: Problems) -> Any:
    """Null, or an ISO 8601 date and time with a UTC offset, as UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        problem(problems, path, "must be an ISO 8601 date and time with a UTC offset, or null")
        return value
    return parsed.astimezone(UTC).isoformat()


def record(
    value: Any,
    fields: Iterable[Field],
    path: str,
    problems: Problems,
    refused: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A record's values in field order, defaults filled in; every unknown, missing or bad
    field is a problem (a `refused` one with its own message)."""
    if not isinstance(value, dict):
        problem(problems, path, "must be an object")
        return {}
    fields = tuple(fields)
    known = {f.name for f in fields}
    for unknown in (key for key in value if key not in known):
        problem(problems, f"{path}.{unknown}", (refused or {}).get(unknown, "unknown field"))
    read: dict[str, Any] = {}
    for f in fields:
        if f.name in value:
            read[f.name] = f.check(value[f.name], f"{path}.{f.name}", problems)
        elif f.default is REQUIRED:
            problem(problems, f"{path}.{f.name}", "required")
        else:
            read[f.name] = canonical(f.default)
    return read


def records(*fields: Field, order_by: str | None = None) -> Check:
    """A list of records with these fields, stably sorted by `order_by` if given."""

    def check(value: Any, path: str, problems: Problems) -> Any:
        if not isinstance(value, list):
            problem(problems, path, "must be a list")
            return value
        read = [record(item, fields, f"{path}[{i}]", problems) for i, item in enumerate(value)]
        if order_by is None:
            return read
        return sorted(read, key=lambda r: r.get(order_by) if _is_int(r.get(order_by)) else 0)

    return check
