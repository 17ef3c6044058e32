"""The clear values of settings, for the code that needs them, and re-encrypting them all
with the current key (SPEC CAT-7)."""

from __future__ import annotations

from typing import Any

from genmedia.application.admin.audit import audit
from genmedia.application.errors import UndecryptableSecret
from genmedia.application.ports import Clock, SecretCipher, UnitOfWork
from genmedia.application.settings.values import ENTITY, opened


def setting_value(key: str, default: Any = None, *, uow: UnitOfWork, cipher: SecretCipher) -> Any:
    """The value of a setting as its type (decrypted if encrypted); `default` if the setting
    is missing or unset."""
    with uow:
        setting = uow.settings.find(key)
    if setting is None or setting.value is None:
        return default
    return opened(setting, cipher).typed_value


def secret_setting(key: str, *, uow: UnitOfWork, cipher: SecretCipher) -> str | None:
    """The clear text of a setting, such as a provider's API key; None if missing or unset.
    Only the code that uses the secret may call this: never show what it returns."""
    with uow:
        setting = uow.settings.find(key)
    if setting is None or setting.value is None:
        return None
    return opened(setting, cipher).value


def rotate_settings(
    *, uow: UnitOfWork, cipher: SecretCipher, clock: Clock, actor_id: int | None = None
) -> int:
    """Re-encrypt every encrypted value with the current key, all or none; how many. After it,
    the old keys may be dropped. UndecryptableSecret names a value no key decrypts."""
    with uow:
        sealed = uow.settings.encrypted(for_update=True)
        for setting in sealed:
            try:
                uow.settings.save(setting.resealed_with(cipher.reencrypt))
            except UndecryptableSecret:
                raise UndecryptableSecret(setting.key) from None
            shown = setting.shown()
            audit(uow, actor_id, "rotate", ENTITY, setting.key, shown, shown, clock.now())
        uow.commit()
    return len(sealed)
