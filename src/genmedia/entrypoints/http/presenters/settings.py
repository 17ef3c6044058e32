"""Bodies of the admin settings routes (API.md, Admin; SPEC CAT-7). An encrypted value is
write-only: it goes in, and "***" comes out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.settings import Setting, SettingType

# What a value may be written as: text, read as the setting's type, or a JSON value.
Value = str | int | float | bool | dict[str, Any] | list[Any] | None


@attrs.frozen(kw_only=True)
class SettingBody:
    """A new setting; `value` is read as `type` (text such as "42", or the value itself)."""

    key: str
    value: Value = None
    type: SettingType = SettingType.STRING
    group: str = "general"
    label: str | None = None
    description: str | None = None
    is_encrypted: bool = False


@attrs.frozen(kw_only=True)
class SettingChangesBody:
    """The fields to change; a field left out (or null) keeps its value."""

    value: Value = None
    type: SettingType | None = None
    group: str | None = None
    label: str | None = None
    description: str | None = None
    is_encrypted: bool | None = None

    def changes(self) -> dict[str, Any]:
        """The fields given."""
        return {k: v for k, v in attrs.asdict(self, recurse=False).items() if v is not None}


@attrs.frozen(kw_only=True)
class SettingView:
    """A setting; `value` is its typed value, or "***" when it is encrypted. (Typed `Any`:
    as a union, the OpenAPI `oneOf` would make a whole number both integer and number.)"""

    id: int
    key: str
    value: Any
    type: SettingType
    group: str
    label: str | None
    description: str | None
    is_encrypted: bool
    created_at: datetime | None
    updated_at: datetime | None


def setting_view(setting: Setting) -> SettingView:
    """The setting as the API shows it: never an encrypted value."""
    return SettingView(
        id=setting.id or 0,
        key=setting.key,
        value=setting.shown_value if setting.is_encrypted else setting.typed_value,
        type=setting.type,
        group=setting.group,
        label=setting.label,
        description=setting.description,
        is_encrypted=setting.is_encrypted,
        created_at=setting.created_at,
        updated_at=setting.updated_at,
    )
