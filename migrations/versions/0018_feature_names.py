"""A live feature's name is unique: it is the feature's natural key in a catalog document.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-20 10:00:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.

`genmedia catalog load` matches features by name (issue #20 §5); soft-deleted features keep
their names, so only live ones must be unique. The upgrade fails if two live features
share a name: rename or delete one first.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "uq_generation_features_name_live"
_LIVE = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    """Add the unique index on the names of live features."""
    op.create_index(
        _INDEX,
        "generation_features",
        ["name"],
        unique=True,
        postgresql_where=_LIVE,
        sqlite_where=_LIVE,
    )


def downgrade() -> None:
    """Drop the index."""
    op.drop_index(_INDEX, table_name="generation_features")
