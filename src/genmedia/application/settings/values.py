"""Reading and writing settings: listings and single reads show encrypted values sealed,
writes seal them before they are stored and record an audit entry with them masked
(SPEC CAT-7). A write's `actor_id` is the admin who made it (None: an operator's command)."""

from __future__ import annotations

from typing import Any

import attrs

from genmedia.application.admin.audit import audit
from genmedia.application.errors import UndecryptableSecret
from genmedia.application.pages import DEFAULT_LIMIT, Key, Page, check_window, page_of
from genmedia.application.ports import Clock, SecretCipher, UnitOfWork
from genmedia.application.settings.commands import DefineSetting, PutSetting
from genmedia.domain.errors import AlreadyExists
from genmedia.domain.settings import Setting

ENTITY = "setting"


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


def create_setting(
    command: DefineSetting,
    *,
    uow: UnitOfWork,
    cipher: SecretCipher,
    clock: Clock,
    actor_id: int | None = None,
) -> Setting:
    """Add a setting, its value sealed if encrypted; AlreadyExists if the key is taken."""
    setting = Setting.define(**attrs.asdict(command, recurse=False)).sealed_with(cipher.encrypt)
    with uow:
        uow.settings.add(setting)
        audit(uow, actor_id, "create", ENTITY, setting.key, None, setting.shown(), clock.now())
        uow.commit()
    return setting


def _revise(
    uow: UnitOfWork, cipher: SecretCipher, key: str, changes: dict[str, Any]
) -> tuple[Setting, Setting]:
    current = uow.settings.get(key, for_update=True)
    clear = current.emptied() if "value" in changes else opened(current, cipher)
    return current, uow.settings.save(clear.revised(changes).sealed_with(cipher.encrypt))


def revise_setting(
    key: str,
    changes: dict[str, Any],
    *,
    uow: UnitOfWork,
    cipher: SecretCipher,
    clock: Clock,
    actor_id: int | None = None,
) -> Setting:
    """Change some fields of a setting (see `Setting.revised`); NotFound."""
    with uow:
        before, setting = _revise(uow, cipher, key, changes)
        audit(uow, actor_id, "update", ENTITY, key, before.shown(), setting.shown(), clock.now())
        uow.commit()
    return setting


def put_setting(
    command: PutSetting,
    *,
    uow: UnitOfWork,
    cipher: SecretCipher,
    clock: Clock,
    actor_id: int | None = None,
) -> Setting:
    """Set a setting's value, creating the setting if its key is new."""
    with uow:
        exists = uow.settings.find(command.key) is not None
    if not exists:
        try:
            definition = command.definition()
            return create_setting(
                definition, uow=uow, cipher=cipher, clock=clock, actor_id=actor_id
            )
        except AlreadyExists:  # created meanwhile: change it instead
            pass
    changes = command.changes()
    return revise_setting(
        command.key, changes, uow=uow, cipher=cipher, clock=clock, actor_id=actor_id
    )


def delete_setting(
    key: str, *, uow: UnitOfWork, clock: Clock, actor_id: int | None = None
) -> Setting:
    """Delete a setting (settings are not kept once deleted); NotFound. The setting as it was."""
    with uow:
        setting = uow.settings.get(key, for_update=True)
        uow.settings.delete(key)
        audit(uow, actor_id, "delete", ENTITY, key, setting.shown(), None, clock.now())
        uow.commit()
    return setting
