"""Settings (SPEC CAT-7): typed values, encrypted ones sealed with `Infrastructure.cipher`."""

from __future__ import annotations

from dependency_injector import providers

from genmedia.application.settings import secrets, values
from genmedia.entrypoints.infrastructure import Infrastructure

uow = Infrastructure.uow
cipher = Infrastructure.cipher
clock = Infrastructure.clock


class SettingsServices(Infrastructure):
    """Listing, reading, writing and deleting settings, their clear values for the code
    that needs them (`secret_setting`, in Infrastructure), and re-encrypting them."""

    list_settings = providers.Callable(values.list_settings, uow=uow)
    get_setting = providers.Callable(values.get_setting, uow=uow)
    create_setting = providers.Callable(values.create_setting, uow=uow, cipher=cipher, clock=clock)
    revise_setting = providers.Callable(values.revise_setting, uow=uow, cipher=cipher, clock=clock)
    put_setting = providers.Callable(values.put_setting, uow=uow, cipher=cipher, clock=clock)
    delete_setting = providers.Callable(values.delete_setting, uow=uow, clock=clock)
    setting_value = providers.Callable(secrets.setting_value, uow=uow, cipher=cipher)
    rotate_settings = providers.Callable(
        secrets.rotate_settings, uow=uow, cipher=cipher, clock=clock
    )
