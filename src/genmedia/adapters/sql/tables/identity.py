"""Users and their access tokens (SPEC IDN-1, IDN-2) and settings (SPEC CAT-7)."""

from __future__ import annotations

import sqlalchemy as sa

from genmedia.adapters.sql.tables.base import (
    NOW,
    UtcDateTime,
    counter,
    flag,
    foreign_key,
    id_column,
    metadata,
    timestamps,
)

users = sa.Table(
    "users",
    metadata,
    id_column(),
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255)),
    sa.Column("name", sa.String(128)),
    flag("is_admin", False),
    flag("is_active", True),
    counter("priority"),
    sa.Column("telegram_id", sa.String(64), unique=True),
    sa.Column("social_login_provider", sa.String(32)),
    sa.Column("last_login_at", UtcDateTime()),
    *timestamps(),
)
sa.Index("idx_users_deleted_at", users.c.deleted_at)

settings = sa.Table(
    "settings",
    metadata,
    id_column(),
    sa.Column("key", sa.String(128), nullable=False, unique=True),
    sa.Column("value", sa.Text()),
    sa.Column("type", sa.String(16), nullable=False, server_default="string"),
    sa.Column("group", sa.String(64), nullable=False, server_default="general"),
    sa.Column("label", sa.String(128)),
    sa.Column("description", sa.Text()),
    flag("is_encrypted", False),
    *timestamps(soft_delete=False),
)
sa.Index("idx_settings_group", settings.c.group)

access_tokens = sa.Table(
    "access_tokens",
    metadata,
    id_column(),
    foreign_key("user_id", "users.id", "CASCADE", nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("name", sa.String(128)),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=NOW),
    sa.Column("expires_at", UtcDateTime()),
    sa.CheckConstraint("kind IN ('session', 'api')", name="kind"),
)
sa.Index("idx_access_tokens_user_id", access_tokens.c.user_id)
sa.Index("idx_access_tokens_expires_at", access_tokens.c.expires_at)
