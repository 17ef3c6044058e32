"""Reading and writing settings: listings and single reads show encrypted values sealed, and
writes seal them before they are stored (SPEC CAT-7)."""

from __future__ import annotations

from typing import Any

import attrs

from genmedia.application.errors import UndecryptableSecret
from genmedia.application.pages import DEFAULT_LIMIT, Key, Page, check_window, page_of
from genmedia.application.ports import SecretCipher, UnitOfWork
from genmedia.application.settings.commands import DefineSetting, PutSetting
from genmedia.domain.errors import AlreadyExists
from genmedia.domain.settings import Setting


def opened(setting: Setting, cipher: SecretCipher) -> Setting:
    """The setting with its clear value; UndecryptableSecret naming its key."""
    try:
        return setting.opened_with(cipher.decrypt)
    except UndecryptableSecret:
        raise UndecryptableSecret(setting.key) from None


def list_settings(
    *, uow: UnitOfWork, after: Key | None = None, limit: int = DEFAULT_LIMIT
) -> Page[Setting]:
    """Settings by id; encrypted ones sealed (show them with `shown_value`)."""
    check_window(after, limit, 1)
    with uow:
        rows = uow.settings.list(after=after, limit=limit + 1)
    return page_of(rows, limit, lambda s: (s.id or 0,))


def get_setting(key: str, *, uow: UnitOfWork) -> Setting:
    """The setting with this key, sealed if encrypted; NotFound."""
    with uow:
        return uow.settings.get(key)


def create_setting(command: DefineSetting, *, uow: UnitOfWork, cipher: SecretCipher) -> Setting:
    """Add a setting, its value sealed if encrypted; AlreadyExists if the key is taken."""
    fields = attrs.asdict(command, recurse=False)
    setting = Setting.define(**fields).sealed_with(cipher.encrypt)
    with uow:
        uow.settings.add(setting)
        uow.commit()
    return setting


def _revise(uow: UnitOfWork, cipher: SecretCipher, key: str, changes: dict[str, Any]) -> Setting:
    current = uow.settings.get(key, for_update=True)
    clear = current.emptied() if "value" in changes else opened(current, cipher)
    return uow.settings.save(clear.revised(changes).sealed_with(cipher.encrypt))


def revise_setting(
    key: str, changes: dict[str, Any], *, uow: UnitOfWork, cipher: SecretCipher
) -> Setting:
    """Change some fields of a setting (see `Setting.revised`); NotFound."""
    with uow:
        setting = _revise(uow, cipher, key, changes)
        uow.commit()
    return setting


def put_setting(command: PutSetting, *, uow: UnitOfWork, cipher: SecretCipher) -> Setting:
    """Set a setting's value, creating the setting if its key is new."""
    with uow:
        if uow.settings.find(command.key) is not None:
            setting = _revise(uow, cipher, command.key, command.changes())
            uow.commit()
            return setting
    try:
        return create_setting(command.definition(), uow=uow, cipher=cipher)
    except AlreadyExists:  # created meanwhile: change it instead
        return revise_setting(command.key, command.changes(), uow=uow, cipher=cipher)


def delete_setting(key: str, *, uow: UnitOfWork) -> Setting:
    """Delete a setting (settings are not kept once deleted); NotFound. The setting as it was."""
    with uow:
        setting = uow.settings.get(key, for_update=True)
        uow.settings.delete(key)
        uow.commit()
    return setting
