"""The audit log of admin writes: who, what, before → after (issue #20, Admin).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 08:30:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.

Append-only: each admin write adds a row in the transaction that makes it. The actor's
reference is cleared, not the row, if the user is ever deleted.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON_DOC = postgresql.JSONB(none_as_null=True).with_variant(sa.JSON(none_as_null=True), "sqlite")
NOW = sa.text("CURRENT_TIMESTAMP")


def upgrade() -> None:
    """Create audit_log."""
    op.create_table(
        "audit_log",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column(
            "actor_id",
            sa.BigInteger(),
            sa.ForeignKey(
                "users.id", ondelete="SET NULL", name=op.f("fk_audit_log_actor_id_users")
            ),
        ),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("entity", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("before", JSON_DOC),
        sa.Column("after", JSON_DOC),
        sa.Column("at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("idx_audit_log_entity", "audit_log", ["entity", "entity_id"])


def downgrade() -> None:
    """Drop audit_log."""
    op.drop_index("idx_audit_log_entity", table_name="audit_log")
    op.drop_table("audit_log")
