"""Wallets, the append-only ledger, credit holds and credit lots.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 23:10:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENTRY_TYPE = sa.Enum("credit", "debit", name="wallet_entry_type_enum")
ENTRY_KIND = sa.Enum(
    "purchase", "generation", "edit", "training", "refund", "admin_adjustment", "bonus",
    "coupon", "gift_card", "expiry", name="wallet_entry_kind_enum",
)  # fmt: skip
ENTRY_STATUS = sa.Enum(
    "pending", "completed", "failed", "refunded", name="wallet_entry_status_enum"
)
HOLD_STATUS = sa.Enum("pending", "captured", "released", "expired", name="credit_hold_status_enum")
LOT_CATEGORY = sa.Enum("paid", "promo", "gift", "admin", "refund", name="credit_lot_category_enum")
ENUMS = (ENTRY_TYPE, ENTRY_KIND, ENTRY_STATUS, HOLD_STATUS, LOT_CATEGORY)

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NOW = sa.text("CURRENT_TIMESTAMP")
APPEND_ONLY_PG = """
CREATE FUNCTION wallet_transactions_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'wallet_transactions is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER wallet_transactions_append_only BEFORE UPDATE OR DELETE ON wallet_transactions
    FOR EACH ROW EXECUTE FUNCTION wallet_transactions_append_only();
"""
APPEND_ONLY_SQLITE = (
    "CREATE TRIGGER wallet_transactions_no_update BEFORE UPDATE ON wallet_transactions "
    "BEGIN SELECT RAISE(ABORT, 'wallet_transactions is append-only'); END",
    "CREATE TRIGGER wallet_transactions_no_delete BEFORE DELETE ON wallet_transactions "
    "BEGIN SELECT RAISE(ABORT, 'wallet_transactions is append-only'); END",
)


def _enum(enum: sa.Enum) -> sa.Enum:
    return sa.Enum(*enum.enums, name=enum.name, create_type=False)


def _credits(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.BigInteger(), server_default="0", nullable=False)


def _fk(table: str, name: str, target: str, ondelete: str, nullable: bool = True) -> sa.Column[Any]:
    referred = target.split(".")[0]
    key = sa.ForeignKey(target, ondelete=ondelete, name=op.f(f"fk_{table}_{name}_{referred}"))
    return sa.Column(name, sa.BigInteger(), key, nullable=nullable)


def _check(table: str, name: str, condition: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))


def _stamp(name: str, nullable: bool = False) -> sa.Column[Any]:
    default = None if nullable else NOW
    return sa.Column(name, sa.DateTime(timezone=True), server_default=default, nullable=nullable)


def _table(name: str, *items: Any) -> None:
    key = sa.Column("id", BIG_ID, autoincrement=True, nullable=False)
    op.create_table(name, key, *items, sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")))


def upgrade() -> None:
    """Create the wallet enums, tables, guards and the ledger's append-only triggers."""
    bind = op.get_bind()
    for enum in ENUMS:
        enum.create(bind, checkfirst=True)
    _wallets()
    _ledger()
    _holds()
    _lots()
    if bind.dialect.name == "postgresql":
        op.execute(APPEND_ONLY_PG)
    else:
        for statement in APPEND_ONLY_SQLITE:
            op.execute(statement)


def downgrade() -> None:
    """Drop the triggers, tables and enums."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER wallet_transactions_append_only ON wallet_transactions")
        op.execute("DROP FUNCTION wallet_transactions_append_only()")
    for table in ("credit_lots", "credit_holds", "wallet_transactions", "wallets"):
        op.drop_table(table)
    for enum in ENUMS:
        enum.drop(bind, checkfirst=True)


def _wallets() -> None:
    key = sa.ForeignKey("users.id", ondelete="CASCADE", name=op.f("fk_wallets_user_id_users"))
    op.create_table(
        "wallets",
        sa.Column("user_id", sa.BigInteger(), key, nullable=False),
        _credits("balance"),
        _credits("held"),
        _credits("total_spent"),
        _credits("total_bought"),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_wallets")),
        _check("wallets", "balance_not_negative", "balance >= 0"),
        _check("wallets", "held_within_balance", "held >= 0 AND held <= balance"),
        _check("wallets", "totals_not_negative", "total_spent >= 0 AND total_bought >= 0"),
    )


def _ledger() -> None:
    t = "wallet_transactions"
    _table(
        t,
        _fk(t, "user_id", "users.id", "CASCADE", nullable=False),
        sa.Column("type", _enum(ENTRY_TYPE), nullable=False),
        sa.Column("kind", _enum(ENTRY_KIND), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("balance_before", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("source", sa.String(64), server_default="system", nullable=False),
        sa.Column("status", _enum(ENTRY_STATUS), server_default="completed", nullable=False),
        sa.Column("reference_id", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        _fk(t, "request_id", "generation_requests.id", "SET NULL"),
        _fk(t, "job_id", "generation_jobs.id", "SET NULL"),
        _fk(t, "media_id", "generation_media.id", "SET NULL"),
        sa.Column("trained_model_id", sa.BigInteger()),
        sa.Column("coupon_id", sa.BigInteger()),
        sa.Column("gift_card_id", sa.BigInteger()),
        sa.Column("payment_id", sa.BigInteger()),
        _stamp("created_at"),
        sa.UniqueConstraint("reference_id", name=op.f(f"uq_{t}_reference_id")),
        _check(t, "amount_positive", "amount > 0"),
        _check(
            t,
            "balance_chain",
            "balance_after = balance_before"
            " + CASE WHEN type = 'credit' THEN amount ELSE -amount END",
        ),
        _check(t, "balance_after_not_negative", "balance_after >= 0"),
    )
    op.create_index("idx_wallet_transactions_user_id", t, ["user_id", "id"])


def _holds() -> None:
    t = "credit_holds"
    _table(
        t,
        _fk(t, "user_id", "users.id", "CASCADE", nullable=False),
        _fk(t, "request_id", "generation_requests.id", "SET NULL"),
        _fk(t, "job_id", "generation_jobs.id", "SET NULL"),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        _credits("captured"),
        sa.Column("status", _enum(HOLD_STATUS), server_default="pending", nullable=False),
        _stamp("expires_at"),
        _stamp("settled_at", nullable=True),
        _stamp("created_at"),
        sa.UniqueConstraint("job_id", name=op.f(f"uq_{t}_job_id")),
        _check(t, "amount_positive", "amount > 0"),
        _check(t, "captured_within_amount", "captured >= 0 AND captured <= amount"),
    )
    where = sa.text("status = 'pending'")
    op.create_index(
        "idx_credit_holds_pending_expiry",
        t,
        ["expires_at"],
        postgresql_where=where,
        sqlite_where=where,
    )


def _lots() -> None:
    t = "credit_lots"
    _table(
        t,
        _fk(t, "user_id", "users.id", "CASCADE", nullable=False),
        sa.Column("category", _enum(LOT_CATEGORY), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("remaining", sa.BigInteger(), nullable=False),
        sa.Column("reference_id", sa.String(200), nullable=False),
        sa.Column("priority", sa.Integer(), server_default="0", nullable=False),
        _stamp("expires_at", nullable=True),
        _stamp("created_at"),
        sa.UniqueConstraint("reference_id", name=op.f(f"uq_{t}_reference_id")),
        _check(t, "amount_positive", "amount > 0"),
        _check(t, "remaining_within_amount", "remaining >= 0 AND remaining <= amount"),
    )
    where = sa.text("remaining > 0")
    op.create_index(
        "idx_credit_lots_open",
        t,
        ["user_id", "priority"],
        postgresql_where=where,
        sqlite_where=where,
    )
