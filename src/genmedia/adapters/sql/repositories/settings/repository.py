"""Settings in SQL: one row per key; an encrypted value is only ever written as ciphertext."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository, unique_or_already_exists
from genmedia.adapters.sql.repositories.pages import keyset
from genmedia.adapters.sql.tables import settings
from genmedia.application.ports import SettingRepository
from genmedia.domain.errors import NotFound
from genmedia.domain.settings import Setting

s = settings
_COLUMNS = ("key", "value", "type", "group", "label", "description", "is_encrypted")


def setting_row(setting: Setting) -> dict[str, Any]:
    """The columns of a setting; ValueError if an encrypted value is not sealed."""
    if setting.is_encrypted and setting.value is not None and not setting.sealed:
        raise ValueError(f"setting {setting.key!r} must be sealed before it is stored")
    values = {name: getattr(setting, name) for name in _COLUMNS}
    values["type"] = setting.type.value
    return values


def setting_from_row(row: sa.Row[Any]) -> Setting:
    """The setting of a row, sealed if its value is encrypted."""
    values = row._asdict()
    return Setting(**values, sealed=values["is_encrypted"] and values["value"] is not None)


class SqlSettingRepository(SqlRepository, SettingRepository):
    """Settings, unique by key."""

    def add(self, setting: Setting) -> Setting:
        """Insert a setting; AlreadyExists if the key is taken."""
        statement = sa.insert(s).values(setting_row(setting)).returning(s.c.id, s.c.created_at)
        with unique_or_already_exists(self._connection, "setting", setting.key):
            setting_id, created_at = self._connection.execute(statement).one()
        setting.stored_as(setting_id, created_at=created_at, updated_at=created_at)
        return setting

    def get(self, key: str, *, for_update: bool = False) -> Setting:
        """The setting with this key, or NotFound; its row locked with `for_update`."""
        query = sa.select(s).where(s.c.key == key)
        row = self._one(query.with_for_update() if for_update else query)
        if row is None:
            raise NotFound("setting", key)
        return setting_from_row(row)

    def find(self, key: str) -> Setting | None:
        """The setting with this key, if any."""
        row = self._one(sa.select(s).where(s.c.key == key))
        return None if row is None else setting_from_row(row)

    def save(self, setting: Setting) -> Setting:
        """Write every field of the setting with its id; NotFound if the row is gone."""
        statement = (
            sa.update(s)
            .where(s.c.id == setting.id)
            .values(setting_row(setting))
            .returning(s.c.updated_at)
        )
        updated_at = self._connection.execute(statement).scalar_one_or_none()
        if updated_at is None:
            raise NotFound("setting", setting.key)
        setting.stored_as(setting.id or 0, updated_at=updated_at)
        return setting

    def delete(self, key: str) -> None:
        """Delete the setting with this key, or NotFound."""
        if self._connection.execute(sa.delete(s).where(s.c.key == key)).rowcount != 1:
            raise NotFound("setting", key)

    def encrypted(self, *, for_update: bool = False) -> list[Setting]:
        """Encrypted settings with a value, by id."""
        query = sa.select(s).where(s.c.is_encrypted.is_(True), s.c.value.is_not(None))
        query = query.order_by(s.c.id)
        return [
            setting_from_row(row)
            for row in self._all(query.with_for_update() if for_update else query)
        ]

    def list(
        self, *, after: tuple[int, ...] | None = None, limit: int | None = None
    ) -> list[Setting]:
        """Settings by id."""
        query = keyset(sa.select(s), ((s.c.id, False),), after, limit)
        return [setting_from_row(row) for row in self._all(query)]
