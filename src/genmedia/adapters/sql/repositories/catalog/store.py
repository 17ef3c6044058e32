"""The whole catalog in SQL, as catalog-as-code reads and writes it (issue #20 §5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository, unique_or_already_exists
from genmedia.adapters.sql.repositories.catalog.features import (
    SqlFeatureRepository,
    SqlTagRepository,
)
from genmedia.adapters.sql.repositories.catalog.provider_models import SqlProviderModelRepository
from genmedia.adapters.sql.repositories.catalog.rows import (
    feature_from_row,
    feature_row,
    provider_model_from_row,
    provider_model_row,
    tag_from_row,
    tag_row,
)
from genmedia.adapters.sql.repositories.commerce.purchases import SqlCreditPackRepository
from genmedia.adapters.sql.repositories.commerce.rows import pack_from_row, row_of
from genmedia.adapters.sql.repositories.settings.repository import (
    SqlSettingRepository,
    setting_from_row,
    setting_row,
)
from genmedia.adapters.sql.repositories.templates.repository import SqlTemplateRepository
from genmedia.adapters.sql.repositories.templates.rows import (
    insert_option_groups,
    load_option_groups,
    template_from_row,
    template_row,
)
from genmedia.adapters.sql.tables import (
    credit_packs,
    generation_features,
    generation_templates,
    provider_models,
    settings,
    tags,
    template_option_groups,
    template_options,
)
from genmedia.application.ports import CatalogContents, CatalogItem, CatalogStore
from genmedia.domain.catalog import Feature, Tag
from genmedia.domain.errors import NotFound
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.purchases import CreditPack
from genmedia.domain.settings import Setting
from genmedia.domain.template import Template

_features, _templates = generation_features, generation_templates

# The columns a load writes: the catalog's own, never the counters and times that requests
# and workers keep (usage and view counts, trend scores, sync and use times).
_CATALOG_COLUMNS: dict[type[Any], tuple[sa.Table, Callable[[Any], dict[str, Any]], str]] = {
    ProviderModel: (provider_models, provider_model_row, "usage_count last_used_at synced_at"),
    Feature: (_features, feature_row, "created_at"),
    Tag: (tags, tag_row, ""),
    CreditPack: (credit_packs, row_of, ""),
    Setting: (settings, setting_row, ""),
    Template: (
        _templates,
        template_row,
        "created_at usage_count view_count trend_score option_groups",
    ),
}


def _columns(item: CatalogItem) -> tuple[sa.Table, dict[str, Any]]:
    table, row, kept = _CATALOG_COLUMNS[type(item)]
    left_out = set(kept.split())
    return table, {k: v for k, v in row(item).items() if k not in left_out}


def _live_templates() -> sa.Select[Any]:
    """Live templates of live features."""
    live_feature = sa.select(_features.c.id).where(_features.c.deleted_at.is_(None))
    return sa.select(_templates).where(
        _templates.c.deleted_at.is_(None), _templates.c.feature_id.in_(live_feature)
    )


class SqlCatalogStore(SqlRepository, CatalogStore):
    """Every kind of the catalog at once; writes go through the unit of work's connection."""

    def contents(self) -> CatalogContents:
        """Every model, tag and pack; every live feature and live template of a live feature;
        every setting not encrypted, and the keys alone of the encrypted ones."""
        templates = self._all(_live_templates().order_by(_templates.c.id))
        groups = load_option_groups(self._connection, [row.id for row in templates])
        live_features = sa.select(_features).where(_features.c.deleted_at.is_(None))
        return CatalogContents(
            provider_models=[
                provider_model_from_row(r)
                for r in self._all(sa.select(provider_models).order_by(provider_models.c.id))
            ],
            features=[feature_from_row(r) for r in self._all(live_features)],
            tags=[tag_from_row(r) for r in self._all(sa.select(tags).order_by(tags.c.id))],
            credit_packs=[pack_from_row(r) for r in self._all(sa.select(credit_packs))],
            templates=[template_from_row(r, groups.get(r.id, [])) for r in templates],
            settings=[
                setting_from_row(r)
                for r in self._all(sa.select(settings).where(settings.c.is_encrypted.is_(False)))
            ],
            encrypted_setting_keys=frozenset(
                self._connection.execute(
                    sa.select(settings.c.key).where(settings.c.is_encrypted.is_(True))
                ).scalars()
            ),
        )

    def add(self, item: CatalogItem) -> int:
        """Insert an entity; a soft-deleted template of the same slug is brought back."""
        connection = self._connection
        if isinstance(item, Template):
            return self._revive(item) or SqlTemplateRepository(connection).add(item).id or 0
        if isinstance(item, Feature):
            with unique_or_already_exists(connection, "feature", item.name):
                return SqlFeatureRepository(connection).add(item).id or 0
        if isinstance(item, ProviderModel):
            return SqlProviderModelRepository(connection).add(item).id or 0
        if isinstance(item, Tag):
            return SqlTagRepository(connection).add(item).id or 0
        if isinstance(item, Setting):
            return SqlSettingRepository(connection).add(item).id or 0
        return SqlCreditPackRepository(connection).add(item).id or 0

    def _revive(self, template: Template) -> int | None:
        """Bring back the soft-deleted template of this slug as `template`; its id, if any."""
        _, values = _columns(template)
        statement = (
            sa.update(_templates)
            .where(_templates.c.slug == template.slug, _templates.c.deleted_at.is_not(None))
            .values(values)
            .returning(_templates.c.id)
        )
        template_id = self._connection.execute(statement).scalar_one_or_none()
        if template_id is None:
            return None
        template.stored_as(template_id)
        self.replace_option_groups(template)
        return int(template_id)

    def update(self, item: CatalogItem) -> None:
        """Write an entity's catalog columns; NotFound if it is gone or, a setting, encrypted."""
        table, values = _columns(item)
        statement = sa.update(table).where(table.c.id == item.id).values(values)
        if isinstance(item, Setting):
            statement = statement.where(settings.c.is_encrypted.is_(False))
        with unique_or_already_exists(self._connection, type(item).__name__, item.id):
            if self._connection.execute(statement).rowcount != 1:
                raise NotFound(type(item).__name__, item.id)

    def replace_option_groups(self, template: Template) -> None:
        """Delete the template's option groups and options, then insert its own."""
        groups = sa.select(template_option_groups.c.id).where(
            template_option_groups.c.template_id == template.id
        )
        self._connection.execute(
            sa.delete(template_options).where(template_options.c.group_id.in_(groups))
        )
        self._connection.execute(
            sa.delete(template_option_groups).where(
                template_option_groups.c.template_id == template.id
            )
        )
        insert_option_groups(self._connection, template.id or 0, template.option_groups)
