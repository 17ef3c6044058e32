"""Ports of settings (SPEC CAT-7): their store, and the cipher of encrypted values."""

from __future__ import annotations

import abc

from genmedia.domain.settings import Setting


class SettingRepository(abc.ABC):
    """Settings by key; an encrypted one is stored and loaded sealed (its value ciphertext)."""

    @abc.abstractmethod
    def add(self, setting: Setting) -> Setting:
        """Insert a setting and give it its id; AlreadyExists if the key is taken."""

    @abc.abstractmethod
    def get(self, key: str, *, for_update: bool = False) -> Setting:
        """The setting with this key, or NotFound; `for_update` locks its row until the end
        of the transaction."""

    @abc.abstractmethod
    def find(self, key: str) -> Setting | None:
        """The setting with this key, if any."""

    @abc.abstractmethod
    def save(self, setting: Setting) -> Setting:
        """Store every field of a setting that was loaded (or added); NotFound if it is gone."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Delete the setting with this key, or NotFound."""

    @abc.abstractmethod
    def encrypted(self, *, for_update: bool = False) -> list[Setting]:
        """Every encrypted setting that has a value, by id (locked with `for_update`)."""

    @abc.abstractmethod
    def list(
        self, *, after: tuple[int, ...] | None = None, limit: int | None = None
    ) -> list[Setting]:
        """Settings by id, after the key `(id,)`, at most `limit`."""


class SecretCipher(abc.ABC):
    """Authenticated encryption of setting values with the current key; older keys still
    decrypt until every value is re-encrypted. The keys never leave the adapter."""

    @abc.abstractmethod
    def encrypt(self, text: str) -> str:
        """A token of `text` made with the current key."""

    @abc.abstractmethod
    def decrypt(self, token: str) -> str:
        """The text of a token made with any configured key; UndecryptableSecret if none
        made it or it was altered."""

    @abc.abstractmethod
    def reencrypt(self, token: str) -> str:
        """The same text as a token of the current key; UndecryptableSecret as `decrypt`."""
