"""Idempotency keys of the HTTP API: the first response to each key, replayed on a retry."""

from __future__ import annotations

import sqlalchemy as sa

from genmedia.adapters.sql.tables.base import JSON_DOC, NOW, UtcDateTime, id_column, metadata

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    id_column(),
    sa.Column("scope", sa.String(80), nullable=False),
    sa.Column("key", sa.String(255), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("status_code", sa.Integer()),
    sa.Column("headers", JSON_DOC),
    sa.Column("body", sa.LargeBinary()),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=NOW),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("scope", "key"),
)
sa.Index("idx_idempotency_keys_expires_at", idempotency_keys.c.expires_at)
