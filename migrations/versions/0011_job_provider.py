"""The provider of each job as a column, for the dispatcher's per-provider limits.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 03:30:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.

The provider is also in the job's input document; the column is a copy written with the
job, so that the dispatcher can count and skip jobs by provider without reading documents.
Existing jobs get theirs from the document.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the column and fill it in from each job's input."""
    with op.batch_alter_table("generation_jobs") as batch:
        batch.add_column(sa.Column("provider", sa.String(64)))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE generation_jobs SET provider = input_json ->> 'provider'")
    else:
        op.execute("UPDATE generation_jobs SET provider = json_extract(input_json, '$.provider')")


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("generation_jobs") as batch:
        batch.drop_column("provider")
