"""The composition root: builds every adapter from settings and binds the use cases."""

from __future__ import annotations

from genmedia.entrypoints.settings import Settings
from genmedia.entrypoints.wiring.admin import AdminServices
from genmedia.entrypoints.wiring.admin_catalog import AdminCatalogServices
from genmedia.entrypoints.wiring.admin_commerce import AdminCommerceServices
from genmedia.entrypoints.wiring.catalog import CatalogServices
from genmedia.entrypoints.wiring.commerce import CommerceServices
from genmedia.entrypoints.wiring.content import ContentServices
from genmedia.entrypoints.wiring.execution import ExecutionServices
from genmedia.entrypoints.wiring.generation import GenerationServices
from genmedia.entrypoints.wiring.identity import IdentityServices
from genmedia.entrypoints.wiring.settings import SettingsServices
from genmedia.entrypoints.wiring.trainings import TrainingServices


class Container(
    IdentityServices,
    CatalogServices,
    GenerationServices,
    CommerceServices,
    ExecutionServices,
    SettingsServices,
    AdminServices,
    ContentServices,
    AdminCommerceServices,
    AdminCatalogServices,
    TrainingServices,
):
    """Everything genmedia needs, built lazily from `config` (see Settings): the adapters of
    `Infrastructure` and the use cases of each capability (wiring/)."""


def build_container(settings: Settings | None = None) -> Container:
    """A container configured from `settings`, or from the GENMEDIA_* environment."""
    container = Container()
    container.config.from_dict((settings or Settings.from_env()).as_config())
    return container
