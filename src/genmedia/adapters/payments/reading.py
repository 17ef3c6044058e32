"""Reading notification bodies and headers; malformed input is an InvalidValue, never a crash."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from genmedia.domain.errors import InvalidValue


def header(headers: Mapping[str, str], name: str) -> str:
    """The value of a header, matched without case; "" when it is missing."""
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), "")


def json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidValue("body", "is not valid JSON") from None
    if not isinstance(data, dict):
        raise InvalidValue("body", "must be a JSON object")
    return data


def text(data: Mapping[str, Any], name: str) -> str:
    """A required non-empty string field."""
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidValue(name, "must be a non-empty string")
    return value


def amount(data: Mapping[str, Any], name: str) -> int:
    """A required whole, non-negative amount."""
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidValue(name, "must be a whole number of at least 0")
    return value


def digits(value: str, most: int) -> bool:
    """Whether `value` is 1 to `most` ASCII digits."""
    return 0 < len(value) <= most and value.isascii() and value.isdigit()


def payment_id(value: object) -> int | None:
    """Our payment id, when `value` is one (an int, or a string of digits)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and digits(value, 18):
        return int(value)
    return None
