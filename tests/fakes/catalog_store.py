"""Fake of the whole-catalog port, over the fake repositories' state."""

from __future__ import annotations

import copy

import attrs

from genmedia.application.ports import CatalogContents, CatalogItem, CatalogStore
from genmedia.domain.catalog import Feature, Tag
from genmedia.domain.errors import AlreadyExists, NotFound
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.purchases import CreditPack
from genmedia.domain.settings import Setting
from genmedia.domain.template import Template
from tests.fakes.base import FakeDatabase, Repo
from tests.fakes.catalog import (
    FakeFeatureRepository,
    FakeProviderModelRepository,
    FakeTagRepository,
    FakeTemplateRepository,
)
from tests.fakes.commerce import FakeCreditPackRepository
from tests.fakes.settings import FakeSettingRepository


class FakeCatalogStore(Repo, CatalogStore):
    """Records each write in `db.catalog_writes` as (act, kind, natural key)."""

    def __init__(self, db: FakeDatabase) -> None:
        super().__init__(db)
        self._tables = {
            ProviderModel: self.db.models,
            Feature: self.db.features,
            Tag: self.db.tags,
            CreditPack: self.db.commerce.packs,
            Template: self.db.templates,
        }

    def contents(self) -> CatalogContents:
        features = [f for f in self.db.features.values() if f.deleted_at is None]
        live = {f.id for f in features}
        templates = [
            t for t in self.db.templates.values() if t.deleted_at is None and t.feature_id in live
        ]
        settings = self.db.settings.values()
        return copy.deepcopy(
            CatalogContents(
                provider_models=list(self.db.models.values()),
                features=features,
                tags=list(self.db.tags.values()),
                credit_packs=list(self.db.commerce.packs.values()),
                templates=templates,
                settings=[s for s in settings if not s.is_encrypted],
                encrypted_setting_keys=frozenset(s.key for s in settings if s.is_encrypted),
            )
        )

    def add(self, item: CatalogItem) -> int:
        self._record("add", item)
        if isinstance(item, Template):
            return self._add_template(item)
        if isinstance(item, Feature):
            if any(f.name == item.name for f in self.db.features.values() if not f.deleted_at):
                raise AlreadyExists("feature", item.name)
            return FakeFeatureRepository(self.db).add(item).id or 0
        if isinstance(item, ProviderModel):
            return FakeProviderModelRepository(self.db).add(item).id or 0
        if isinstance(item, Tag):
            return FakeTagRepository(self.db).add(item).id or 0
        if isinstance(item, Setting):
            return FakeSettingRepository(self.db).add(item).id or 0
        return FakeCreditPackRepository(self.db).add(item).id or 0

    def _add_template(self, template: Template) -> int:
        deleted = [t for t in self.db.templates.values() if t.slug == template.slug]
        if deleted and all(t.deleted_at for t in deleted):
            template.id = deleted[0].id
            self.db.templates[template.id or 0] = template
            return template.id or 0
        return FakeTemplateRepository(self.db).add(template).id or 0

    def update(self, item: CatalogItem) -> None:
        self._record("update", item)
        if isinstance(item, Setting):
            self._update_setting(item)
            return
        table: dict[int, CatalogItem] = self._tables[type(item)]  # type: ignore[assignment]
        if item.id not in table:
            raise NotFound(type(item).__name__, item.id)
        stored = table[item.id]
        if isinstance(stored, Template) and isinstance(item, Template):
            item = attrs.evolve(item, option_groups=stored.option_groups)
        table[item.id] = copy.deepcopy(item)

    def _update_setting(self, setting: Setting) -> None:
        stored = self.db.settings.get(setting.key)
        if stored is None or stored.id != setting.id or stored.is_encrypted:
            raise NotFound("Setting", setting.id)
        FakeSettingRepository(self.db).save(setting)

    def replace_option_groups(self, template: Template) -> None:
        self._record("replace_option_groups", template)
        stored = self.db.templates[template.id or 0]
        stored.option_groups = template.option_groups

    def _record(self, act: str, item: CatalogItem) -> None:
        if isinstance(item, ProviderModel):
            key = item.model_slug
        elif isinstance(item, Setting):
            key = item.key
        else:
            key = item.slug if isinstance(item, Template) else item.name
        self.db.catalog_writes.append((act, type(item).__name__, key))
