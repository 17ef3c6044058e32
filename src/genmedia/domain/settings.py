"""Typed settings, some kept encrypted (SPEC CAT-7).

A value is held as its canonical text ("42", "true", '{"a":1}') and read back as the Python
value of its type. An encrypted setting is *sealed* while it is stored or loaded (its value
is then ciphertext) and *opened* only by the code that needs the clear value; it is never
shown: `shown_value` is "***".
"""

from __future__ import annotations

import enum
import json
import math
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.errors import InvalidValue
from genmedia.domain.stored import Stored
from genmedia.domain.text import has_control_characters, single_line

MASK = "***"
MAX_VALUE_LENGTH = 65536
_KEY = re.compile(r"^[a-z][a-z0-9_.-]{0,127}$")
_GROUP = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
# Keys named like these hold credentials, so they must be kept encrypted.
SECRET_SUFFIXES = ("_api_key", "_api_token", "_token", "_secret", "_password")
_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


class SettingType(enum.StrEnum):
    """How a setting's text is read."""

    STRING = "string"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    JSON = "json"


def setting_key(value: str) -> str:
    """A key: a lower-case letter, then up to 127 letters, digits, '_', '.' or '-'."""
    if not isinstance(value, str) or not _KEY.match(value):
        raise InvalidValue("key", "must be a-z first, then up to 127 of a-z, 0-9, _ . -")
    return value


def setting_type(value: SettingType | str) -> SettingType:
    """The member named `value`, or InvalidValue naming `type`."""
    try:
        return SettingType(value)
    except ValueError:
        allowed = ", ".join(t.value for t in SettingType)
        raise InvalidValue("type", f"must be one of {allowed}") from None


def _group(value: str) -> str:
    if not isinstance(value, str) or not _GROUP.match(value):
        raise InvalidValue("group", "must be a-z first, then up to 63 of a-z, 0-9, _ -")
    return value


def _label(value: str | None) -> str | None:
    return None if value is None else single_line("label", str(value), 128)


def _description(value: str | None) -> str | None:
    if value is not None and (not isinstance(value, str) or len(value) > 2000):
        raise InvalidValue("description", "must be text of at most 2000 characters")
    if value is not None and has_control_characters(value):
        raise InvalidValue("description", "must not contain control characters")
    return value


def _number(kind: type[int] | type[float], raw: object) -> int | float:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise ValueError
    number = kind(raw)
    if isinstance(number, float) and not math.isfinite(number):
        raise ValueError
    if isinstance(raw, float) and kind is int and raw != number:
        raise ValueError
    return number


def _flag(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower() if isinstance(raw, str) else None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError


def _document(raw: object) -> Any:
    return json.loads(raw) if isinstance(raw, str) else json.loads(json.dumps(raw))


def parse_value(kind: SettingType, raw: object) -> str:
    """The canonical text of `raw` as a value of `kind` (text is read, other values taken as
    they are), or InvalidValue naming `value`."""
    try:
        if kind is SettingType.STRING:
            if not isinstance(raw, str) or "\x00" in raw:
                raise ValueError
            text = raw
        elif kind is SettingType.INT:
            text = str(_number(int, raw))
        elif kind is SettingType.FLOAT:
            text = repr(float(_number(float, raw)))
        elif kind is SettingType.BOOL:
            text = "true" if _flag(raw) else "false"
        else:
            text = json.dumps(_document(raw), sort_keys=True, separators=(",", ":"))
    except (ValueError, TypeError, OverflowError, RecursionError):
        raise InvalidValue("value", f"is not a valid {kind.value}") from None
    if len(text) > MAX_VALUE_LENGTH:
        raise InvalidValue("value", f"must be at most {MAX_VALUE_LENGTH} characters")
    return text


def value_of(kind: SettingType, text: str) -> Any:
    """The Python value of canonical text of `kind`."""
    if kind is SettingType.INT:
        return int(text)
    if kind is SettingType.FLOAT:
        return float(text)
    if kind is SettingType.BOOL:
        return text == "true"
    if kind is SettingType.JSON:
        return json.loads(text)
    return text


def names_a_secret(key: str) -> bool:
    """Whether the key is named like a credential (…_api_key, …_secret, …)."""
    return key.endswith(SECRET_SUFFIXES)


@attrs.define(slots=False, eq=False, kw_only=True)
class Setting(Stored):
    """A named, typed value of the running service; `sealed` while its value is ciphertext."""

    id: int | None = None
    key: str = attrs.field(converter=setting_key)
    type: SettingType = attrs.field(default=SettingType.STRING, converter=setting_type)
    group: str = attrs.field(default="general", converter=_group)
    label: str | None = attrs.field(default=None, converter=_label)
    description: str | None = attrs.field(default=None, converter=_description)
    is_encrypted: bool = False
    value: str | None = attrs.field(default=None, repr=False)
    sealed: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def __attrs_post_init__(self) -> None:
        if names_a_secret(self.key) and not self.is_encrypted:
            raise InvalidValue("is_encrypted", "must be true: the key names a credential")
        if self.sealed and not self.is_encrypted:
            raise InvalidValue("is_encrypted", "a sealed value belongs to an encrypted setting")
        if not self.sealed and self.value is not None:
            self.value = parse_value(self.type, self.value)

    @classmethod
    def define(cls, *, key: str, value: object, **fields: Any) -> Setting:
        """A new setting (not sealed) whose value is read as its type: a bad field is named."""
        kind = setting_type(fields.pop("type", SettingType.STRING))
        text = None if value is None else parse_value(kind, value)
        return cls(key=key, type=kind, value=text, **fields)

    @property
    def shown_value(self) -> str | None:
        """The value as anyone may see it: "***" for an encrypted one that is set."""
        return MASK if self.is_encrypted and self.value is not None else self.value

    @property
    def typed_value(self) -> Any:
        """The value as its type (None if unset); a sealed setting must be opened first."""
        if self.sealed:
            raise ValueError(f"setting {self.key!r} is sealed: open it to read its value")
        return None if self.value is None else value_of(self.type, self.value)

    def shown(self) -> dict[str, Any]:
        """The setting's fields as anyone may see them (for listings and the audit log)."""
        return {
            "key": self.key,
            "type": self.type.value,
            "group": self.group,
            "label": self.label,
            "description": self.description,
            "is_encrypted": self.is_encrypted,
            "value": self.shown_value,
        }

    def sealed_with(self, encrypt: Callable[[str], str]) -> Setting:
        """The setting as it is stored: an encrypted value turned to ciphertext."""
        if self.sealed or not self.is_encrypted or self.value is None:
            return self
        return attrs.evolve(self, value=encrypt(self.value), sealed=True)

    def opened_with(self, decrypt: Callable[[str], str]) -> Setting:
        """The setting with its clear value (re-checked against its type)."""
        if not self.sealed or self.value is None:
            return attrs.evolve(self, sealed=False)
        return attrs.evolve(self, value=decrypt(self.value), sealed=False)

    def resealed_with(self, reencrypt: Callable[[str], str]) -> Setting:
        """A sealed setting with its ciphertext made again (by the current key)."""
        if not self.sealed or self.value is None:
            return self
        return attrs.evolve(self, value=reencrypt(self.value))

    def emptied(self) -> Setting:
        """The setting opened without its value, for a revision that replaces the value."""
        return attrs.evolve(self, value=None, sealed=False)

    def revised(self, changes: dict[str, Any]) -> Setting:
        """An opened setting with `changes` (of value, type, group, label, description,
        is_encrypted) applied and checked; the key never changes."""
        unknown = sorted(set(changes) - REVISABLE)
        if unknown:
            raise InvalidValue(unknown[0], "is not a field of a setting that can be changed")
        if self.sealed:
            raise ValueError(f"setting {self.key!r} is sealed: open it before revising it")
        if self.is_encrypted and changes.get("is_encrypted") is False and "value" not in changes:
            raise InvalidValue("value", "is required to turn encryption off")
        fields = {k: v for k, v in changes.items() if k != "value"}
        kind = setting_type(fields.get("type", self.type))
        value = changes.get("value", self.value)
        text = None if value is None else parse_value(kind, value)
        return attrs.evolve(self, **fields, value=text)


REVISABLE = frozenset({"value", "type", "group", "label", "description", "is_encrypted"})
