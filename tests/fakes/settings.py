"""Fakes of the settings ports: the store, and a cipher whose keys are names."""

from __future__ import annotations

import base64
import copy

from genmedia.application.errors import UndecryptableSecret
from genmedia.application.ports import SecretCipher, SettingRepository
from genmedia.domain.errors import AlreadyExists, NotFound
from genmedia.domain.settings import Setting
from tests.fakes.base import Repo, keyed


class FakeSettingRepository(Repo, SettingRepository):
    def add(self, setting: Setting) -> Setting:
        if setting.key in self.db.settings:
            raise AlreadyExists("setting", setting.key)
        self._check_sealed(setting)
        setting.stored_as(self._new_id(), created_at=self.db.now, updated_at=self.db.now)
        self.db.settings[setting.key] = copy.deepcopy(setting)
        return setting

    def get(self, key: str, *, for_update: bool = False) -> Setting:
        if key not in self.db.settings:
            raise NotFound("setting", key)
        return copy.deepcopy(self.db.settings[key])

    def find(self, key: str) -> Setting | None:
        return copy.deepcopy(self.db.settings.get(key))

    def save(self, setting: Setting) -> Setting:
        stored = self.db.settings.get(setting.key)
        if stored is None or stored.id != setting.id:
            raise NotFound("setting", setting.key)
        self._check_sealed(setting)
        setting.stored_as(setting.id or 0, updated_at=self.db.now)
        self.db.settings[setting.key] = copy.deepcopy(setting)
        return setting

    def delete(self, key: str) -> None:
        if self.db.settings.pop(key, None) is None:
            raise NotFound("setting", key)

    def encrypted(self, *, for_update: bool = False) -> list[Setting]:
        found = [s for s in self.db.settings.values() if s.is_encrypted and s.value is not None]
        return copy.deepcopy(sorted(found, key=lambda s: s.id or 0))

    def list(
        self, *, after: tuple[int, ...] | None = None, limit: int | None = None
    ) -> list[Setting]:
        found = keyed(self.db.settings.values(), lambda s: (s.id or 0,), after, limit)
        return copy.deepcopy(found)

    @staticmethod
    def _check_sealed(setting: Setting) -> None:
        if setting.is_encrypted and setting.value is not None and not setting.sealed:
            raise ValueError("an encrypted setting reached the store in clear")


class FakeCipher(SecretCipher):
    """Tokens "<key name>:<base64 text>"; `old` key names still decrypt."""

    def __init__(self, current: str = "k1", old: tuple[str, ...] = ()) -> None:
        self.current = current
        self.known = {current, *old}

    def encrypt(self, text: str) -> str:
        return f"{self.current}:{base64.b64encode(text.encode()).decode()}"

    def decrypt(self, token: str) -> str:
        name, _, body = token.partition(":")
        if name not in self.known:
            raise UndecryptableSecret()
        return base64.b64decode(body).decode()

    def reencrypt(self, token: str) -> str:
        return self.encrypt(self.decrypt(token))
