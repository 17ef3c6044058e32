"""The commands of the settings use cases."""

from __future__ import annotations

from typing import Any

import attrs

from genmedia.domain.settings import SettingType, names_a_secret


@attrs.frozen(kw_only=True)
class DefineSetting:
    """Create a setting; its value is read as its type."""

    key: str
    value: Any = attrs.field(repr=False)
    type: SettingType | str = SettingType.STRING
    group: str = "general"
    label: str | None = None
    description: str | None = None
    is_encrypted: bool = False


@attrs.frozen(kw_only=True)
class PutSetting:
    """Set a setting's value, creating the setting if it is missing; a field left None keeps
    its current value, or its default for a new setting."""

    key: str
    value: Any = attrs.field(repr=False)
    type: SettingType | str | None = None
    group: str | None = None
    label: str | None = None
    description: str | None = None
    is_encrypted: bool | None = None

    def changes(self) -> dict[str, Any]:
        """The fields to change on an existing setting."""
        fields = attrs.asdict(self, recurse=False, filter=lambda a, v: a.name != "key")
        return {name: v for name, v in fields.items() if v is not None or name == "value"}

    def definition(self) -> DefineSetting:
        """The setting to create when the key is new: encrypted, unless told otherwise, if
        its key names a credential."""
        fields = {k: v for k, v in self.changes().items() if k != "value"}
        fields.setdefault("is_encrypted", names_a_secret(self.key))
        return DefineSetting(key=self.key, value=self.value, **fields)
