"""Job leases: one poll chain per waiting job, attempts spent only on real tries.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 10:00:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.

`generation_jobs.lease` is advanced each time a job changes hands (a claim, a wait for a
poll); a worker's writes are guarded by it, and a poll message carries it as its token,
so a stale or duplicated poll message is dropped. From this revision a claim no longer
spends an attempt and clears `started_at`: the attempt counts, and `started_at` is set,
when the worker calls the provider.

Jobs already running keep their attempts and `started_at` (their calls count as begun).
Poll messages sent by older workers carry no token and are dropped; the rescuer finds
their jobs waiting for a poll that no queue holds and sends each one a new poll.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the lease column."""
    with op.batch_alter_table("generation_jobs") as jobs:
        jobs.add_column(sa.Column("lease", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    """Drop the lease column."""
    with op.batch_alter_table("generation_jobs") as jobs:
        jobs.drop_column("lease")
