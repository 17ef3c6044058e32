"""The audit log of admin writes (issue #20, Admin): append-only."""

from __future__ import annotations

import sqlalchemy as sa

from genmedia.adapters.sql.tables.base import (
    JSON_DOC,
    NOW,
    UtcDateTime,
    foreign_key,
    id_column,
    metadata,
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    id_column(),
    foreign_key("actor_id", "users.id", "SET NULL"),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("entity", sa.String(64), nullable=False),
    sa.Column("entity_id", sa.String(64), nullable=False),
    sa.Column("before", JSON_DOC),
    sa.Column("after", JSON_DOC),
    sa.Column("at", UtcDateTime(), nullable=False, server_default=NOW),
)
sa.Index("idx_audit_log_entity", audit_log.c.entity, audit_log.c.entity_id)
