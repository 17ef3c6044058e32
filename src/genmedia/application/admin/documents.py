"""Admin documents: the JSON bodies operators send, read field by field against a table of
`Field`s that also describes them in the OpenAPI document. Every bad field is named at
once, before anything is looked up; unknown fields are refused, not ignored."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from genmedia.application.inputs import MAX_ID, is_whole
from genmedia.domain.errors import FieldError, InvalidInput, InvalidValue, raise_collected

MAX_INT = 2**31 - 1
"""The largest value of an INTEGER column (prices, counts, orders)."""

Fields = Mapping[str, "Field"]


@attrs.frozen(kw_only=True)
class Field:
    """One field of a document: its JSON type (`string`, `integer`, `boolean`, `object`,
    `array` or `datetime`, an RFC 3339 string), its limits, and whether a new object needs
    it. An `object` with `fields` is a nested document; without, any JSON object."""

    type: str
    required: bool = False
    nullable: bool = False
    max_length: int | None = None
    minimum: int = -MAX_INT - 1
    maximum: int = MAX_INT
    choices: tuple[str, ...] = ()
    items: Field | None = None
    max_items: int = 100
    fields: Fields | None = None

    def read(self, value: Any, path: str) -> Any:
        """The value, checked; InvalidValue (or InvalidInput for a nested document)."""
        if value is None:
            if not self.nullable:
                raise InvalidValue(path, "must not be null")
            return None
        return _READERS[self.type](self, value, path)


def text(max_length: int, **options: Any) -> Field:
    """A string of at most `max_length` characters."""
    return Field(type="string", max_length=max_length, **options)


def choice(kind: type[enum.Enum], **options: Any) -> Field:
    """A string that is the value of a member of `kind`."""
    return Field(type="string", choices=tuple(str(m.value) for m in kind), **options)


def reference(**options: Any) -> Field:
    """The id of another object, or null unless `nullable=False`."""
    return Field(
        **{"type": "integer", "minimum": 1, "maximum": MAX_ID, "nullable": True, **options}
    )


def _string(field: Field, value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise InvalidValue(path, "must be text")
    if field.max_length is not None and len(value) > field.max_length:
        raise InvalidValue(path, f"must be at most {field.max_length} characters")
    if field.choices and value not in field.choices:
        raise InvalidValue(path, f"must be one of {', '.join(field.choices)}")
    return value


def _integer(field: Field, value: Any, path: str) -> int:
    if not is_whole(value):
        raise InvalidValue(path, "must be a whole number")
    if not field.minimum <= value <= field.maximum:
        raise InvalidValue(path, f"must be from {field.minimum} to {field.maximum}")
    return int(value)


def _boolean(field: Field, value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidValue(path, "must be true or false")
    return value


def _object(field: Field, value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidValue(path, "must be a JSON object")
    if field.fields is None:
        return value
    return read_document(value, field.fields, creating=True, prefix=f"{path}.")


def _array(field: Field, value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidValue(path, "must be a list")
    if len(value) > field.max_items:
        raise InvalidValue(path, f"must have at most {field.max_items} items")
    item = field.items or Field(type="string")
    values, errors = [], []
    for index, element in enumerate(value):
        try:
            values.append(item.read(element, f"{path}.{index}"))
        except (FieldError, InvalidInput) as error:
            errors += error.field_errors()
    raise_collected(errors)
    return values


def _datetime(field: Field, value: Any, path: str) -> datetime:
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise InvalidValue(path, "must be an RFC 3339 date-time with its time zone")
    return when


_READERS = {
    "string": _string,
    "integer": _integer,
    "boolean": _boolean,
    "object": _object,
    "array": _array,
    "datetime": _datetime,
}


def read_document(
    document: Any, fields: Fields, *, creating: bool, prefix: str = ""
) -> dict[str, Any]:
    """The fields of a JSON document, each read by its Field; with `creating`, the required
    ones must be there. InvalidInput names every bad field at once."""
    if not isinstance(document, dict):
        raise InvalidValue(prefix.rstrip(".") or "body", "must be a JSON object")
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, value in document.items():
        field = fields.get(name)
        try:
            if field is None:
                raise InvalidValue(f"{prefix}{name}", "is not a field of this object")
            values[name] = field.read(value, f"{prefix}{name}")
        except (FieldError, InvalidInput) as error:
            errors += error.field_errors()
    if creating:
        missing = [n for n, field in fields.items() if field.required and n not in document]
        errors += [InvalidValue(f"{prefix}{n}", "is required") for n in missing]
    raise_collected(errors)
    return values
