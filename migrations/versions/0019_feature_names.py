"""A live feature's name is unique (issue #20, Admin: operators create and rename features).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 10:00:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.

A partial unique index: a soft-deleted feature keeps its name without blocking a new one;
restoring it while a live feature has the name is refused.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "uq_generation_features_live_name"


def upgrade() -> None:
    """Index the names of live features, uniquely."""
    live = sa.text("deleted_at IS NULL")
    op.create_index(
        _INDEX,
        "generation_features",
        ["name"],
        unique=True,
        postgresql_where=live,
        sqlite_where=live,
    )


def downgrade() -> None:
    """Drop the index."""
    op.drop_index(_INDEX, table_name="generation_features")
