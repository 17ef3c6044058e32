"""Initial schema: users, settings, catalog, requests, jobs and media.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 22:46:00

Self-contained on purpose: it does not import genmedia, so later changes to the tables
cannot change what this revision does. Runs on PostgreSQL and SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEDIA_TYPE = sa.Enum("image", "video", "audio", name="generation_media_type_enum")
JOB_STATUS = sa.Enum(
    "pending", "processing", "completed", "failed", "cancelled", name="generation_job_status_enum"
)
MEDIA_KIND = sa.Enum("uploaded", "generated", "edited", name="generation_media_kind_enum")
MODEL_CATEGORY = sa.Enum(
    "t2i", "i2i", "inpaint", "outpaint", "finetune", name="provider_model_category_enum"
)
ENUMS = (MEDIA_TYPE, JOB_STATUS, MEDIA_KIND, MODEL_CATEGORY)

JSON_DOC = postgresql.JSONB(none_as_null=True).with_variant(sa.JSON(none_as_null=True), "sqlite")
TEXT_LIST = postgresql.ARRAY(sa.Text()).with_variant(sa.JSON(), "sqlite")
ID_LIST = postgresql.ARRAY(sa.BigInteger()).with_variant(sa.JSON(), "sqlite")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NOW = sa.text("CURRENT_TIMESTAMP")
LIVE = "deleted_at IS NULL"
ACTIVE_AND_LIVE = "deleted_at IS NULL AND is_active = true"


def _enum(enum: sa.Enum) -> sa.Enum:
    """The enum as a column type; the type itself is created once, up front."""
    return sa.Enum(*enum.enums, name=enum.name, create_type=False)


def _table(name: str, *items: Any) -> None:
    """Create a table whose first column is its BIGSERIAL (SQLite: rowid) primary key."""
    key = sa.Column("id", BIG_ID, autoincrement=True, nullable=False)
    op.create_table(name, key, *items, sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")))


def _fk(table: str, name: str, target: str, ondelete: str, nullable: bool = True) -> sa.Column[Any]:
    referred = target.split(".")[0]
    key = sa.ForeignKey(target, ondelete=ondelete, name=op.f(f"fk_{table}_{name}_{referred}"))
    return sa.Column(name, sa.BigInteger(), key, nullable=nullable)


def _unique(table: str, *columns: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{'_'.join(columns)}"))


def _check(table: str, name: str, condition: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))


def _text(name: str, length: int | None = None, nullable: bool = True) -> sa.Column[Any]:
    kind = sa.Text() if length is None else sa.String(length)
    return sa.Column(name, kind, nullable=nullable)


def _json(name: str, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, JSON_DOC, nullable=nullable)


def _time(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def _flag(name: str, default: bool) -> sa.Column[Any]:
    value = sa.text("true" if default else "false")
    return sa.Column(name, sa.Boolean(), server_default=value, nullable=False)


def _int(name: str, default: int = 0) -> sa.Column[Any]:
    return sa.Column(name, sa.Integer(), server_default=str(default), nullable=False)


def _stamps(soft_delete: bool = True) -> list[sa.Column[Any]]:
    columns = [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    ]
    return [*columns, _time("deleted_at")] if soft_delete else columns


def _index(table: str, name: str, columns: list[Any], where: str | None = None, **kw: Any) -> None:
    if where is not None:
        kw.update(postgresql_where=sa.text(where), sqlite_where=sa.text(where))
    op.create_index(name, table, columns, **kw)


def _desc(column: str) -> Any:
    return sa.literal_column(f"{column} DESC")


def upgrade() -> None:
    """Create the enum types, then every table with its indexes."""
    bind = op.get_bind()
    for enum in ENUMS:
        enum.create(bind, checkfirst=True)
    _create_identity()
    _create_catalog()
    _create_templates()
    _create_requests()
    _create_jobs()
    _create_media()


def downgrade() -> None:
    """Drop every table, then the enum types."""
    for table in (
        "generation_media", "generation_jobs", "generation_requests", "template_options",
        "template_option_groups", "generation_templates", "generation_features", "tags",
        "provider_models", "settings", "users",
    ):  # fmt: skip
        op.drop_table(table)
    bind = op.get_bind()
    for enum in ENUMS:
        enum.drop(bind, checkfirst=True)


def _create_identity() -> None:
    _table(
        "users",
        sa.Column("email", sa.String(254), nullable=False),
        _text("password_hash", 255),
        _text("name", 128),
        _flag("is_admin", False),
        _flag("is_active", True),
        _int("priority"),
        sa.Column("telegram_id", sa.String(64)),
        _text("social_login_provider", 32),
        _time("last_login_at"),
        *_stamps(),
        _unique("users", "email"),
        _unique("users", "telegram_id"),
    )
    _index("users", "idx_users_deleted_at", ["deleted_at"])
    _table(
        "settings",
        sa.Column("key", sa.String(128), nullable=False),
        _text("value"),
        sa.Column("type", sa.String(16), server_default="string", nullable=False),
        sa.Column("group", sa.String(64), server_default="general", nullable=False),
        _text("label", 128),
        _text("description"),
        _flag("is_encrypted", False),
        *_stamps(soft_delete=False),
        _unique("settings", "key"),
    )
    _index("settings", "idx_settings_group", ["group"])


def _create_catalog() -> None:
    _table(
        "provider_models",
        _text("provider", 32, nullable=False),
        sa.Column("model_slug", sa.String(128), nullable=False),
        _text("label", 128, nullable=False),
        _text("version", 64),
        _text("endpoint"),
        sa.Column("category", _enum(MODEL_CATEGORY), nullable=False),
        _json("capabilities"),
        _json("param_schema"),
        _json("limits"),
        _int("cost_per_use"),
        _int("usage_count"),
        _time("last_used_at"),
        _flag("is_default", False),
        _flag("is_active", True),
        _time("synced_at"),
        *_stamps(soft_delete=False),
        _check("provider_models", "cost_per_use_not_negative", "cost_per_use >= 0"),
        _check("provider_models", "usage_count_not_negative", "usage_count >= 0"),
        _unique("provider_models", "model_slug"),
    )
    _index("provider_models", "idx_provider_models_provider", ["provider"])
    _table(
        "generation_features",
        _text("name", 128, nullable=False),
        _text("description"),
        sa.Column("category", _enum(MEDIA_TYPE), nullable=False),
        _text("system_prompt"),
        _json("properties"),
        _fk("generation_features", "provider_model_id", "provider_models.id", "SET NULL"),
        _text("preview_url"),
        _text("icon_url"),
        _flag("is_active", True),
        _int("order_index"),
        *_stamps(),
    )
    table = "generation_features"
    _index(table, "idx_generation_features_category", ["category"], LIVE)
    _index(
        table,
        "idx_generation_features_active",
        ["is_active", "category", "order_index"],
        ACTIVE_AND_LIVE,
    )
    _index(table, "idx_generation_features_deleted_at", ["deleted_at"])
    _table(
        "tags",
        sa.Column("name", sa.String(64), nullable=False),
        _text("color_from", 32),
        _text("color_to", 32),
        _text("icon"),
        _int("sort_order"),
        _flag("is_active", True),
        *_stamps(soft_delete=False),
        _unique("tags", "name"),
    )


def _create_templates() -> None:
    _table(
        "generation_templates",
        _fk(
            "generation_templates",
            "feature_id",
            "generation_features.id",
            "CASCADE",
            nullable=False,
        ),
        _text("name", 128, nullable=False),
        sa.Column("slug", sa.String(128), nullable=False),
        _text("description"),
        _text("template_prompt"),
        _json("template_data", nullable=False),
        _text("preview_url"),
        _int("price"),
        _flag("allow_user_custom_prompt", True),
        _json("capabilities"),
        _json("image_slots"),
        _json("system_images"),
        _fk("generation_templates", "provider_model_id", "provider_models.id", "SET NULL"),
        _fk("generation_templates", "legacy_provider_model_id", "provider_models.id", "SET NULL"),
        _fk("generation_templates", "tag_id", "tags.id", "SET NULL"),
        sa.Column("tags", TEXT_LIST),
        _flag("is_trending", False),
        _int("trend_score"),
        _int("usage_count"),
        _int("view_count"),
        _time("trend_start_date"),
        _time("trend_end_date"),
        _flag("is_active", True),
        _int("order_index"),
        *_stamps(),
        _check("generation_templates", "price_not_negative", "price >= 0"),
        _check(
            "generation_templates", "counts_not_negative", "usage_count >= 0 AND view_count >= 0"
        ),
        _unique("generation_templates", "slug"),
    )
    table = "generation_templates"
    _index(table, "idx_generation_templates_feature_id", ["feature_id"], LIVE)
    _index(
        table,
        "idx_generation_templates_active",
        ["is_active", "feature_id", "order_index"],
        ACTIVE_AND_LIVE,
    )
    _index(
        table,
        "idx_generation_templates_trending",
        ["is_trending", _desc("trend_score"), "feature_id"],
        "deleted_at IS NULL AND is_trending = true",
    )
    _index(
        table,
        "idx_generation_templates_popularity",
        [_desc("trend_score"), _desc("usage_count")],
        ACTIVE_AND_LIVE,
    )
    _index(table, "idx_generation_templates_tags", ["tags"], LIVE, postgresql_using="gin")
    _index(table, "idx_generation_templates_tag_id", ["tag_id"], LIVE)
    _index(table, "idx_generation_templates_deleted_at", ["deleted_at"])
    _table(
        "template_option_groups",
        _fk(
            "template_option_groups",
            "template_id",
            "generation_templates.id",
            "CASCADE",
            nullable=False,
        ),
        _text("group_name", 64, nullable=False),
        _text("label", 128, nullable=False),
        _flag("multiple", False),
        _flag("required", False),
        _int("sort_order"),
        _unique("template_option_groups", "template_id", "group_name"),
    )
    _table(
        "template_options",
        _fk("template_options", "group_id", "template_option_groups.id", "CASCADE", nullable=False),
        _text("value", 64, nullable=False),
        _text("label", 128, nullable=False),
        sa.Column("prompt_fragment", sa.Text(), server_default="", nullable=False),
        _json("params"),
        _text("icon"),
        _text("thumbnail"),
        _int("sort_order"),
        _flag("is_default", False),
        _unique("template_options", "group_id", "value"),
    )


def _create_requests() -> None:
    _table(
        "generation_requests",
        _fk("generation_requests", "user_id", "users.id", "CASCADE", nullable=False),
        sa.Column("project_id", sa.BigInteger()),
        _fk(
            "generation_requests",
            "feature_id",
            "generation_features.id",
            "RESTRICT",
            nullable=False,
        ),
        _fk("generation_requests", "template_id", "generation_templates.id", "SET NULL"),
        _fk("generation_requests", "provider_model_id", "provider_models.id", "SET NULL"),
        _text("system_prompt"),
        _text("template_prompt"),
        _text("user_prompt", nullable=False),
        _json("selected_options"),
        _json("user_custom_input"),
        _text("final_prompt", nullable=False),
        sa.Column("input_media_ids", ID_LIST),
        sa.Column("user_media_urls", TEXT_LIST),
        _json("input_metadata"),
        _json("generation_params"),
        _int("estimated_cost"),
        _int("credits_charged"),
        sa.Column("status", _enum(JOB_STATUS), server_default="pending", nullable=False),
        _json("metadata"),
        _int("version", 1),
        *_stamps(),
        _check("generation_requests", "estimated_cost_not_negative", "estimated_cost >= 0"),
        _check("generation_requests", "credits_charged_not_negative", "credits_charged >= 0"),
    )
    table = "generation_requests"
    _index(table, "idx_generation_requests_user_id", ["user_id"], LIVE)
    _index(
        table,
        "idx_generation_requests_project_id",
        ["project_id"],
        "project_id IS NOT NULL AND deleted_at IS NULL",
    )
    _index(table, "idx_generation_requests_feature_id", ["feature_id"], LIVE)
    _index(
        table,
        "idx_generation_requests_template_id",
        ["template_id"],
        "template_id IS NOT NULL AND deleted_at IS NULL",
    )
    _index(table, "idx_generation_requests_status", ["status"], LIVE)
    _index(table, "idx_generation_requests_user_status", ["user_id", "status"], LIVE)
    _index(table, "idx_generation_requests_deleted_at", ["deleted_at"])


def _create_jobs() -> None:
    _table(
        "generation_jobs",
        _fk("generation_jobs", "request_id", "generation_requests.id", "CASCADE", nullable=False),
        _fk("generation_jobs", "user_id", "users.id", "CASCADE", nullable=False),
        sa.Column("project_id", sa.BigInteger()),
        _fk("generation_jobs", "feature_id", "generation_features.id", "RESTRICT", nullable=False),
        sa.Column("category", _enum(MEDIA_TYPE), nullable=False),
        sa.Column("job_index", sa.Integer(), nullable=False),
        sa.Column("status", _enum(JOB_STATUS), server_default="pending", nullable=False),
        _int("priority"),
        _text("worker_id", 64),
        _json("input_json", nullable=False),
        _json("output_metadata"),
        _text("error_message"),
        _text("error_code", 64),
        _int("attempts"),
        _int("max_attempts", 3),
        _time("started_at"),
        _time("completed_at"),
        _time("dispatched_at"),
        _text("provider_task_id", 255),
        _text("provider_polling_url"),
        _text("legacy_provider_task_id", 255),
        sa.Column("provider_cost", sa.Numeric(12, 6)),
        _int("credits_used"),
        *_stamps(),
        _unique("generation_jobs", "request_id", "job_index"),
        _check("generation_jobs", "job_index_not_negative", "job_index >= 0"),
        _check("generation_jobs", "attempts_not_negative", "attempts >= 0 AND max_attempts >= 0"),
        _check("generation_jobs", "credits_used_not_negative", "credits_used >= 0"),
        _check("generation_jobs", "provider_cost_not_negative", "provider_cost >= 0"),
    )
    table = "generation_jobs"
    for column in ("request_id", "user_id", "feature_id", "category", "status"):
        _index(table, f"idx_generation_jobs_{column}", [column], LIVE)
    _index(
        table,
        "idx_generation_jobs_project_id",
        ["project_id"],
        "project_id IS NOT NULL AND deleted_at IS NULL",
    )
    _index(table, "idx_generation_jobs_category_status", ["category", "status"], LIVE)
    _index(table, "idx_generation_jobs_user_status", ["user_id", "status"], LIVE)
    _index(
        table,
        "idx_generation_jobs_priority_status",
        [_desc("priority"), "status"],
        "deleted_at IS NULL AND status = 'pending'",
    )
    _index(
        table,
        "idx_generation_jobs_dispatch",
        [_desc("priority"), "id"],
        "status = 'pending' AND dispatched_at IS NULL AND deleted_at IS NULL",
    )
    _index(
        table,
        "idx_generation_jobs_worker_id",
        ["worker_id"],
        "worker_id IS NOT NULL AND deleted_at IS NULL",
    )
    _index(table, "idx_generation_jobs_deleted_at", ["deleted_at"])


def _create_media() -> None:
    _table(
        "generation_media",
        _fk("generation_media", "request_id", "generation_requests.id", "CASCADE"),
        _fk("generation_media", "user_id", "users.id", "CASCADE", nullable=False),
        _fk("generation_media", "job_id", "generation_jobs.id", "SET NULL"),
        sa.Column("output_index", sa.Integer()),
        sa.Column("kind", _enum(MEDIA_KIND), nullable=False),
        sa.Column("media_type", _enum(MEDIA_TYPE), nullable=False),
        _text("storage_path", nullable=False),
        _text("content_type", 64, nullable=False),
        _text("file_format", 16, nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("duration", sa.Integer()),
        _json("metadata"),
        _text("blurhash", 64, nullable=False),
        _text("tiny_preview_base64"),
        _text("original_filename", 255),
        _fk("generation_media", "original_media_id", "generation_media.id", "SET NULL"),
        _int("download_count"),
        _flag("is_favorite", False),
        *_stamps(),
        _unique("generation_media", "job_id", "output_index"),
        _check("generation_media", "image_not_empty", "width > 0 AND height > 0 AND file_size > 0"),
        _check("generation_media", "download_count_not_negative", "download_count >= 0"),
    )
    table = "generation_media"
    _index(table, "idx_generation_media_request_id", ["request_id"], LIVE)
    _index(
        table,
        "idx_generation_media_job_id",
        ["job_id"],
        "job_id IS NOT NULL AND deleted_at IS NULL",
    )
    _index(table, "idx_generation_media_type", ["media_type"], LIVE)
    _index(table, "idx_generation_media_user_id", ["user_id", "kind"], LIVE)
    _index(
        table,
        "idx_generation_media_original_media_id",
        ["original_media_id"],
        "original_media_id IS NOT NULL AND deleted_at IS NULL",
    )
    _index(table, "idx_generation_media_deleted_at", ["deleted_at"])
