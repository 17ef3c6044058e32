"""Retention: purged media, an index of finished jobs, and a ledger that outlives its jobs.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 15:00:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.

- `generation_media.purged_at` marks a soft-deleted media whose stored object was removed,
  with a partial index of the soft-deleted media still waiting for that.
- `idx_generation_jobs_finished` finds finished jobs by age, for the job pruner.
- `wallet_transactions.job_id` loses its foreign key. Its ON DELETE SET NULL made deleting a
  charged job UPDATE the append-only ledger, which the ledger's trigger refuses; the ledger
  now keeps the id of the job it charged after the job is pruned, as it already does for
  payments, coupons and gift cards. SQLite cannot drop a foreign key, so there the table is
  copied (checks, unique key and index come along) and its append-only triggers are made
  again. Nothing references the ledger and the copy fires no trigger.

Downgrading puts the foreign key back; on PostgreSQL it is added NOT VALID so that ledger
entries of jobs pruned meanwhile do not block it. On SQLite such entries are copied as they
are when migrations run with foreign keys off (migrations/env.py), and fail the copy when
they run with them on: the ledger cannot be edited to forget them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEDIA = "generation_media"
JOBS = "generation_jobs"
LEDGER = "wallet_transactions"
LEDGER_JOB_FK = "fk_wallet_transactions_job_id_generation_jobs"
PURGE_WHERE = "deleted_at IS NOT NULL AND purged_at IS NULL"
FINISHED_WHERE = "status IN ('completed', 'failed', 'cancelled')"
SQLITE_APPEND_ONLY = (
    "CREATE TRIGGER wallet_transactions_no_update BEFORE UPDATE ON wallet_transactions "
    "BEGIN SELECT RAISE(ABORT, 'wallet_transactions is append-only'); END",
    "CREATE TRIGGER wallet_transactions_no_delete BEFORE DELETE ON wallet_transactions "
    "BEGIN SELECT RAISE(ABORT, 'wallet_transactions is append-only'); END",
)


def _index(name: str, table: str, columns: list[str], where: str) -> None:
    # IF NOT EXISTS: on a big database an operator may build these CONCURRENTLY beforehand.
    condition = sa.text(where)
    op.create_index(
        name,
        table,
        columns,
        postgresql_where=condition,
        sqlite_where=condition,
        if_not_exists=True,
    )


def _recreate_sqlite_ledger(change: str) -> None:
    """Copy the SQLite ledger through a batch that adds or drops the job foreign key."""
    with op.batch_alter_table(LEDGER, recreate="always") as ledger:
        if change == "drop":
            ledger.drop_constraint(LEDGER_JOB_FK, type_="foreignkey")
        else:
            ledger.create_foreign_key(LEDGER_JOB_FK, JOBS, ["job_id"], ["id"], ondelete="SET NULL")
    for statement in SQLITE_APPEND_ONLY:
        op.execute(statement)


def upgrade() -> None:
    """Add the purge marker and the retention indexes; unhook the ledger from jobs."""
    op.add_column(MEDIA, sa.Column("purged_at", sa.DateTime(timezone=True)))
    _index("idx_generation_media_purge", MEDIA, ["deleted_at"], PURGE_WHERE)
    _index("idx_generation_jobs_finished", JOBS, ["completed_at"], FINISHED_WHERE)
    if op.get_bind().dialect.name == "sqlite":
        _recreate_sqlite_ledger("drop")
    else:
        op.drop_constraint(LEDGER_JOB_FK, LEDGER, type_="foreignkey")


def downgrade() -> None:
    """Hook the ledger to jobs again; drop the indexes and the purge marker."""
    if op.get_bind().dialect.name == "sqlite":
        _recreate_sqlite_ledger("add")
    else:
        op.execute(
            f"ALTER TABLE {LEDGER} ADD CONSTRAINT {LEDGER_JOB_FK} FOREIGN KEY (job_id) "
            f"REFERENCES {JOBS} (id) ON DELETE SET NULL NOT VALID"
        )
    op.drop_index("idx_generation_jobs_finished", table_name=JOBS)
    op.drop_index("idx_generation_media_purge", table_name=MEDIA)
    op.drop_column(MEDIA, "purged_at")
