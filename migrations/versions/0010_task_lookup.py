"""Finding the running job that waits on a provider's task, for the provider's webhooks.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 23:00:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.

A webhook names the provider's task; the partial index covers only the jobs still
processing, so it stays as small as the work in flight.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RUNNING = sa.text("status = 'processing' AND provider_task_id IS NOT NULL")


def upgrade() -> None:
    """Index the running jobs by their provider task id."""
    op.create_index(
        "idx_generation_jobs_running_task",
        "generation_jobs",
        ["provider_task_id"],
        postgresql_where=_RUNNING,
        sqlite_where=_RUNNING,
    )


def downgrade() -> None:
    """Drop the index."""
    op.drop_index("idx_generation_jobs_running_task", table_name="generation_jobs")
