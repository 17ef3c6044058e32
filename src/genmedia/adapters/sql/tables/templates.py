"""Templates (SPEC CAT-2; 000's styles), their option groups (SPEC CAT-3) and their hourly
views and uses, which trend scores are made of (SPEC CAT-6)."""

from __future__ import annotations

import sqlalchemy as sa

from genmedia.adapters.sql.tables.base import (
    JSON_DOC,
    TEXT_LIST,
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

generation_templates = sa.Table(
    "generation_templates",
    metadata,
    id_column(),
    foreign_key("feature_id", "generation_features.id", "CASCADE", nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("slug", sa.String(128), nullable=False, unique=True),
    sa.Column("description", sa.Text()),
    sa.Column("template_prompt", sa.Text()),
    sa.Column("template_data", JSON_DOC, nullable=False),
    sa.Column("preview_url", sa.Text()),
    counter("price"),
    flag("allow_user_custom_prompt", True),
    sa.Column("capabilities", JSON_DOC),
    sa.Column("image_slots", JSON_DOC),
    sa.Column("system_images", JSON_DOC),
    foreign_key("provider_model_id", "provider_models.id", "SET NULL"),
    foreign_key("legacy_provider_model_id", "provider_models.id", "SET NULL"),
    foreign_key("tag_id", "tags.id", "SET NULL"),
    sa.Column("tags", TEXT_LIST),
    flag("is_trending", False),
    counter("trend_score"),
    counter("usage_count"),
    counter("view_count"),
    sa.Column("trend_start_date", UtcDateTime()),
    sa.Column("trend_end_date", UtcDateTime()),
    flag("is_active", True),
    counter("order_index"),
    *timestamps(),
    sa.CheckConstraint("price >= 0", name="price_not_negative"),
    sa.CheckConstraint("usage_count >= 0 AND view_count >= 0", name="counts_not_negative"),
)
_t = generation_templates
partial_index("idx_generation_templates_feature_id", _t.c.feature_id, where=live(_t))
partial_index(
    "idx_generation_templates_active",
    _t.c.is_active,
    _t.c.feature_id,
    _t.c.order_index,
    where=active_and_live(_t),
)
partial_index(
    "idx_generation_templates_trending",
    _t.c.is_trending,
    _t.c.trend_score.desc(),
    _t.c.feature_id,
    where=sa.and_(live(_t), _t.c.is_trending == sa.true()),
)
partial_index(
    "idx_generation_templates_popularity",
    _t.c.trend_score.desc(),
    _t.c.usage_count.desc(),
    where=active_and_live(_t),
)
sa.Index(
    "idx_generation_templates_tags",
    _t.c.tags,
    postgresql_using="gin",
    postgresql_where=live(_t),
    sqlite_where=live(_t),
)
partial_index("idx_generation_templates_tag_id", _t.c.tag_id, where=live(_t))
sa.Index("idx_generation_templates_deleted_at", _t.c.deleted_at)

template_option_groups = sa.Table(
    "template_option_groups",
    metadata,
    id_column(),
    foreign_key("template_id", "generation_templates.id", "CASCADE", nullable=False),
    sa.Column("group_name", sa.String(64), nullable=False),
    sa.Column("label", sa.String(128), nullable=False),
    flag("multiple", False),
    flag("required", False),
    counter("sort_order"),
    sa.UniqueConstraint("template_id", "group_name"),
)

template_options = sa.Table(
    "template_options",
    metadata,
    id_column(),
    foreign_key("group_id", "template_option_groups.id", "CASCADE", nullable=False),
    sa.Column("value", sa.String(64), nullable=False),
    sa.Column("label", sa.String(128), nullable=False),
    sa.Column("prompt_fragment", sa.Text(), nullable=False, server_default=""),
    sa.Column("params", JSON_DOC),
    sa.Column("icon", sa.Text()),
    sa.Column("thumbnail", sa.Text()),
    counter("sort_order"),
    flag("is_default", False),
    sa.UniqueConstraint("group_id", "value"),
)

template_activity = sa.Table(
    "template_activity",
    metadata,
    foreign_key("template_id", "generation_templates.id", "CASCADE", nullable=False),
    sa.Column("hour", UtcDateTime(), nullable=False),
    counter("views"),
    counter("uses"),
    sa.PrimaryKeyConstraint("template_id", "hour"),
    sa.CheckConstraint("views >= 0 AND uses >= 0", name="counts_not_negative"),
)
sa.Index("idx_template_activity_hour", template_activity.c.hour)
