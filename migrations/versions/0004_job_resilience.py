"""Job backoff, deadlines and cooperative cancellation; worker heartbeats.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 23:20:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("CURRENT_TIMESTAMP")
IN_FLIGHT = "status = 'processing' OR (status = 'pending' AND dispatched_at IS NOT NULL)"


def upgrade() -> None:
    """Add the job columns, the in-flight index and the workers table."""
    with op.batch_alter_table("generation_jobs") as jobs:
        jobs.add_column(sa.Column("run_after", sa.DateTime(timezone=True)))
        jobs.add_column(sa.Column("deadline_at", sa.DateTime(timezone=True)))
        jobs.add_column(
            sa.Column("cancel_requested", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    where = sa.text(IN_FLIGHT)
    op.create_index(
        "idx_generation_jobs_in_flight",
        "generation_jobs",
        ["user_id"],
        postgresql_where=where,
        sqlite_where=where,
    )
    op.create_table(
        "workers",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("hostname", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workers")),
    )
    op.create_index("idx_workers_heartbeat_at", "workers", ["heartbeat_at"])


def downgrade() -> None:
    """Drop the workers table, the index and the job columns."""
    op.drop_table("workers")
    op.drop_index("idx_generation_jobs_in_flight", table_name="generation_jobs")
    with op.batch_alter_table("generation_jobs") as jobs:
        jobs.drop_column("cancel_requested")
        jobs.drop_column("deadline_at")
        jobs.drop_column("run_after")
