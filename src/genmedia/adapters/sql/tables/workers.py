"""Worker processes and their heartbeats, which the rescuer reads (ARCHITECTURE §4)."""

from __future__ import annotations

import sqlalchemy as sa

from genmedia.adapters.sql.tables.base import NOW, UtcDateTime, metadata

workers = sa.Table(
    "workers",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("hostname", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer(), nullable=False),
    sa.Column("started_at", UtcDateTime(), nullable=False, server_default=NOW),
    sa.Column("heartbeat_at", UtcDateTime(), nullable=False, server_default=NOW),
    sa.Column("stopped_at", UtcDateTime()),
)
sa.Index("idx_workers_heartbeat_at", workers.c.heartbeat_at)
