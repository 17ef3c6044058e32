"""Port of the catalog as a whole, as `genmedia catalog export|load` reads and writes it."""

from __future__ import annotations

import abc

import attrs

from genmedia.domain.catalog import Feature, Tag
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.purchases import CreditPack
from genmedia.domain.settings import Setting
from genmedia.domain.template import Template

CatalogItem = ProviderModel | Feature | Tag | CreditPack | Template | Setting


@attrs.frozen(kw_only=True)
class CatalogContents:
    """Every provider model, tag and credit pack, active or not, every live feature and
    live template of a live feature (with its option groups), and every setting that is not
    encrypted; of the encrypted settings, only their keys (never their values)."""

    provider_models: list[ProviderModel]
    features: list[Feature]
    tags: list[Tag]
    credit_packs: list[CreditPack]
    templates: list[Template]
    settings: list[Setting]
    encrypted_setting_keys: frozenset[str]


class CatalogStore(abc.ABC):
    """The whole catalog: read at once, written entity by entity inside the unit of work."""

    @abc.abstractmethod
    def contents(self) -> CatalogContents:
        """Everything the catalog holds (see CatalogContents)."""

    @abc.abstractmethod
    def add(self, item: CatalogItem) -> int:
        """Insert an entity (a template with its option groups) and give it its id; a
        soft-deleted template of the same slug is brought back instead. AlreadyExists if
        its natural key is taken (by an encrypted setting too)."""

    @abc.abstractmethod
    def update(self, item: CatalogItem) -> None:
        """Write every catalog field of a stored entity (not its option groups), including
        its deletion time; NotFound if it is gone (or, a setting, encrypted since it was
        read: an encrypted setting is never written here), AlreadyExists if its natural key
        is taken."""

    @abc.abstractmethod
    def replace_option_groups(self, template: Template) -> None:
        """Make a stored template's option groups and options exactly its own."""
