"""Archived requests (SPEC GEN-11): finished requests leave the default listings after a while.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 09:00:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.

`archived_at` is set by the retention sweep; the partial index on `created_at` over the
requests not yet archived is what the sweep reads, oldest first.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "idx_generation_requests_unarchived"


def upgrade() -> None:
    """Add archived_at and the index of the requests not yet archived."""
    with op.batch_alter_table("generation_requests") as batch:
        batch.add_column(sa.Column("archived_at", sa.DateTime(timezone=True)))
    op.create_index(
        _INDEX,
        "generation_requests",
        ["created_at"],
        postgresql_where=sa.text("archived_at IS NULL"),
        sqlite_where=sa.text("archived_at IS NULL"),
    )


def downgrade() -> None:
    """Drop the index and the column."""
    op.drop_index(_INDEX, table_name="generation_requests")
    with op.batch_alter_table("generation_requests") as batch:
        batch.drop_column("archived_at")
