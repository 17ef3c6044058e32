"""An admin's retry of a failed job: the new job names the one it runs again (issue #20).

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-10 09:00:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.

A retry is a new job of the same request; `retry_of` names the failed job, and its unique
index lets each failed job be retried once, however many admins ask at the same time.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add generation_jobs.retry_of and its unique index."""
    with op.batch_alter_table("generation_jobs") as batch:
        batch.add_column(sa.Column("retry_of", sa.BigInteger()))
    op.create_index("idx_generation_jobs_retry_of", "generation_jobs", ["retry_of"], unique=True)


def downgrade() -> None:
    """Drop the index and the column."""
    op.drop_index("idx_generation_jobs_retry_of", table_name="generation_jobs")
    with op.batch_alter_table("generation_jobs") as batch:
        batch.drop_column("retry_of")
