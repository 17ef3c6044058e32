"""Catalog tables: provider models, features and tags (SPEC CAT-1, CAT-4, CAT-5)."""

from __future__ import annotations

import sqlalchemy as sa

from genmedia.adapters.sql.tables.base import (
    JSON_DOC,
    MEDIA_TYPE,
    MODEL_CATEGORY,
    UtcDateTime,
    active_and_live,
    counter,
    flag,
    foreign_key,
    id_column,
    live,
    metadata,
    partial_index,
    timestamps,
)

provider_models = sa.Table(
    "provider_models",
    metadata,
    id_column(),
    sa.Column("provider", sa.String(32), nullable=False),
    sa.Column("model_slug", sa.String(128), nullable=False, unique=True),
    sa.Column("label", sa.String(128), nullable=False),
    sa.Column("version", sa.String(64)),
    sa.Column("endpoint", sa.Text()),
    sa.Column("category", MODEL_CATEGORY, nullable=False),
    sa.Column("capabilities", JSON_DOC),
    sa.Column("param_schema", JSON_DOC),
    sa.Column("limits", JSON_DOC),
    counter("cost_per_use"),
    counter("usage_count"),
    sa.Column("last_used_at", UtcDateTime()),
    flag("is_default", False),
    flag("is_active", True),
    sa.Column("synced_at", UtcDateTime()),
    *timestamps(soft_delete=False),
    sa.CheckConstraint("cost_per_use >= 0", name="cost_per_use_not_negative"),
    sa.CheckConstraint("usage_count >= 0", name="usage_count_not_negative"),
)
sa.Index("idx_provider_models_provider", provider_models.c.provider)

generation_features = sa.Table(
    "generation_features",
    metadata,
    id_column(),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("description", sa.Text()),
    sa.Column("category", MEDIA_TYPE, nullable=False),
    sa.Column("system_prompt", sa.Text()),
    sa.Column("properties", JSON_DOC),
    foreign_key("provider_model_id", "provider_models.id", "SET NULL"),
    foreign_key("legacy_provider_model_id", "provider_models.id", "SET NULL"),
    sa.Column("preview_url", sa.Text()),
    sa.Column("icon_url", sa.Text()),
    flag("is_active", True),
    counter("order_index"),
    *timestamps(),
)
_features = generation_features
partial_index("idx_generation_features_category", _features.c.category, where=live(_features))
partial_index(
    "idx_generation_features_active",
    _features.c.is_active,
    _features.c.category,
    _features.c.order_index,
    where=active_and_live(_features),
)
sa.Index("idx_generation_features_deleted_at", _features.c.deleted_at)
sa.Index(
    "uq_generation_features_live_name",
    _features.c.name,
    unique=True,
    postgresql_where=live(_features),
    sqlite_where=live(_features),
)

tags = sa.Table(
    "tags",
    metadata,
    id_column(),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("color_from", sa.String(32)),
    sa.Column("color_to", sa.String(32)),
    sa.Column("icon", sa.Text()),
    counter("sort_order"),
    flag("is_active", True),
    *timestamps(soft_delete=False),
)
