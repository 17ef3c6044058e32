"""Payment references and the Stripe provider (issue #20, SPEC WAL-4).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 08:10:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.

A payment gets `reference`, the unguessable name the payer's checkout carries back in the
provider's webhook (payments made before it are named `legacy-{id}`); `stripe` joins the
payment providers. The downgrade refuses while a Stripe payment exists.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENUM = "payment_provider_enum"
OLD_VALUES = ("telegram_stars", "webhook")


def upgrade() -> None:
    """Add the reference (backfilled, then required and unique) and the Stripe provider."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TYPE {ENUM} ADD VALUE IF NOT EXISTS 'stripe'")
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("reference", sa.String(64), nullable=True))
    op.execute("UPDATE payments SET reference = 'legacy-' || id WHERE reference IS NULL")
    with op.batch_alter_table("payments") as batch:
        batch.alter_column("reference", existing_type=sa.String(64), nullable=False)
        batch.create_unique_constraint(op.f("uq_payments_reference"), ["reference"])


def downgrade() -> None:
    """Drop the reference, and `stripe` from the providers (fails while one is used)."""
    with op.batch_alter_table("payments") as batch:
        batch.drop_constraint(op.f("uq_payments_reference"), type_="unique")
        batch.drop_column("reference")
    if op.get_bind().dialect.name != "postgresql":
        return
    values = ", ".join(f"'{v}'" for v in OLD_VALUES)
    op.execute(f"ALTER TYPE {ENUM} RENAME TO {ENUM}_old")
    op.execute(f"CREATE TYPE {ENUM} AS ENUM ({values})")
    op.execute(
        f"ALTER TABLE payments ALTER COLUMN provider TYPE {ENUM} USING provider::text::{ENUM}"
    )
    op.execute(f"DROP TYPE {ENUM}_old")
