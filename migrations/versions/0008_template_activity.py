"""Template activity per hour, for trend scores; a user's requests by recency.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 10:00:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.

- `template_activity` counts each template's views and uses per hour (one row per template
  and hour, incremented by an upsert). The periodic trend task reads the rows of the trend
  window to compute `generation_templates.trend_score` and deletes older ones.
- `idx_generation_requests_user_recent` (user_id, id) of live requests serves the keyset
  pages of a user's requests, newest first.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "template_activity"
REQUESTS = "generation_requests"
LIVE = "deleted_at IS NULL"


def _counter(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=False, server_default="0")


def upgrade() -> None:
    """Create the activity table and the index of a user's recent requests."""
    op.create_table(
        TABLE,
        sa.Column(
            "template_id",
            sa.BigInteger(),
            sa.ForeignKey(
                "generation_templates.id",
                ondelete="CASCADE",
                name=op.f("fk_template_activity_template_id_generation_templates"),
            ),
            nullable=False,
        ),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        _counter("views"),
        _counter("uses"),
        sa.PrimaryKeyConstraint("template_id", "hour", name=op.f("pk_template_activity")),
        sa.CheckConstraint(
            "views >= 0 AND uses >= 0", name=op.f("ck_template_activity_counts_not_negative")
        ),
    )
    op.create_index("idx_template_activity_hour", TABLE, ["hour"])
    op.create_index(
        "idx_generation_requests_user_recent",
        REQUESTS,
        ["user_id", "id"],
        postgresql_where=sa.text(LIVE),
        sqlite_where=sa.text(LIVE),
    )


def downgrade() -> None:
    """Drop the index and the activity table."""
    op.drop_index("idx_generation_requests_user_recent", table_name=REQUESTS)
    op.drop_index("idx_template_activity_hour", table_name=TABLE)
    op.drop_table(TABLE)
