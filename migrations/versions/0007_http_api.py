"""The HTTP API: access tokens (sessions and API tokens) and idempotency keys.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 21:00:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.

- `access_tokens` holds the SHA-256 of each session and API token, never the token itself.
- `idempotency_keys` holds, per caller and Idempotency-Key, a fingerprint of the first request
  and, once it has one, its response. The unique (scope, key) makes one request win a race.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON_DOC = postgresql.JSONB(none_as_null=True).with_variant(sa.JSON(none_as_null=True), "sqlite")
NOW = sa.text("CURRENT_TIMESTAMP")


def _stamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    default = None if nullable else NOW
    return sa.Column(name, sa.DateTime(timezone=True), server_default=default, nullable=nullable)


def upgrade() -> None:
    """Create access_tokens and idempotency_keys."""
    op.create_table(
        "access_tokens",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column(
            "user_id",
            sa.BigInteger(),
            sa.ForeignKey(
                "users.id", ondelete="CASCADE", name=op.f("fk_access_tokens_user_id_users")
            ),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(128)),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _stamp("created_at"),
        _stamp("expires_at", nullable=True),
        sa.CheckConstraint("kind IN ('session', 'api')", name=op.f("ck_access_tokens_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_access_tokens_token_hash")),
    )
    op.create_index("idx_access_tokens_user_id", "access_tokens", ["user_id"])
    op.create_index("idx_access_tokens_expires_at", "access_tokens", ["expires_at"])
    op.create_table(
        "idempotency_keys",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("scope", sa.String(80), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer()),
        sa.Column("headers", JSON_DOC),
        sa.Column("body", sa.LargeBinary()),
        _stamp("created_at"),
        _stamp("expires_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("scope", "key", name=op.f("uq_idempotency_keys_scope_key")),
    )
    op.create_index("idx_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"])


def downgrade() -> None:
    """Drop idempotency_keys and access_tokens."""
    op.drop_index("idx_idempotency_keys_expires_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_index("idx_access_tokens_expires_at", table_name="access_tokens")
    op.drop_index("idx_access_tokens_user_id", table_name="access_tokens")
    op.drop_table("access_tokens")
