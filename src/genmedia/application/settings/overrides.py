"""Values an operator may set in the environment or, failing that, as a setting (CAT-7)."""

from __future__ import annotations

from typing import Any

from genmedia.application.ports import SecretCipher, UnitOfWork
from genmedia.application.settings.secrets import setting_value


def configured_or_setting(
    key: str, configured: Any, default: Any, *, uow: UnitOfWork, cipher: SecretCipher
) -> Any:
    """`configured` (from the environment) when it is set, as for provider keys; else the
    setting `key`, which an admin may change at run time; else `default`."""
    if configured is not None:
        return configured
    return setting_value(key, default, uow=uow, cipher=cipher)
