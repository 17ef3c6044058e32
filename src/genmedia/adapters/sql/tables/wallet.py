"""Wallets, the append-only ledger, credit holds and credit lots (SPEC WAL-1…3, ledger.md §7)."""

from __future__ import annotations

import sqlalchemy as sa

from genmedia.adapters.sql.tables.base import (
    NOW,
    UtcDateTime,
    enum_type,
    foreign_key,
    id_column,
    metadata,
    partial_index,
)
from genmedia.domain.holds import HoldStatus
from genmedia.domain.lots import LotCategory
from genmedia.domain.wallet import EntryKind, EntryStatus, EntryType

ENTRY_TYPE = enum_type(EntryType, "wallet_entry_type_enum")
ENTRY_KIND = enum_type(EntryKind, "wallet_entry_kind_enum")
ENTRY_STATUS = enum_type(EntryStatus, "wallet_entry_status_enum")
HOLD_STATUS = enum_type(HoldStatus, "credit_hold_status_enum")
LOT_CATEGORY = enum_type(LotCategory, "credit_lot_category_enum")


def _credits(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=False, server_default="0")


wallets = sa.Table(
    "wallets",
    metadata,
    sa.Column(
        "user_id", sa.BigInteger(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    _credits("balance"),
    _credits("held"),
    _credits("total_spent"),
    _credits("total_bought"),
    sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=NOW),
    sa.Column("updated_at", UtcDateTime(), nullable=False, server_default=NOW),
    sa.CheckConstraint("balance >= 0", name="balance_not_negative"),
    sa.CheckConstraint("held >= 0 AND held <= balance", name="held_within_balance"),
    sa.CheckConstraint("total_spent >= 0 AND total_bought >= 0", name="totals_not_negative"),
)

wallet_transactions = sa.Table(
    "wallet_transactions",
    metadata,
    id_column(),
    foreign_key("user_id", "users.id", "CASCADE", nullable=False),
    sa.Column("type", ENTRY_TYPE, nullable=False),
    sa.Column("kind", ENTRY_KIND, nullable=False),
    sa.Column("amount", sa.BigInteger(), nullable=False),
    sa.Column("balance_before", sa.BigInteger(), nullable=False),
    sa.Column("balance_after", sa.BigInteger(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False, server_default=""),
    sa.Column("source", sa.String(64), nullable=False, server_default="system"),
    sa.Column("status", ENTRY_STATUS, nullable=False, server_default=EntryStatus.COMPLETED.value),
    sa.Column("reference_id", sa.String(200), nullable=False, unique=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    foreign_key("request_id", "generation_requests.id", "SET NULL"),
    # No foreign key: jobs are pruned after their retention period (GEN-11), and the ledger,
    # which is append-only, keeps naming the job it charged (migration 0006).
    sa.Column("job_id", sa.BigInteger()),
    foreign_key("media_id", "generation_media.id", "SET NULL"),
    sa.Column("trained_model_id", sa.BigInteger()),
    sa.Column("coupon_id", sa.BigInteger()),
    sa.Column("gift_card_id", sa.BigInteger()),
    sa.Column("payment_id", sa.BigInteger()),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=NOW),
    sa.CheckConstraint("amount > 0", name="amount_positive"),
    sa.CheckConstraint(
        "balance_after = balance_before + CASE WHEN type = 'credit' THEN amount ELSE -amount END",
        name="balance_chain",
    ),
    sa.CheckConstraint("balance_after >= 0", name="balance_after_not_negative"),
)
sa.Index("idx_wallet_transactions_user_id", wallet_transactions.c.user_id, wallet_transactions.c.id)

credit_holds = sa.Table(
    "credit_holds",
    metadata,
    id_column(),
    foreign_key("user_id", "users.id", "CASCADE", nullable=False),
    foreign_key("request_id", "generation_requests.id", "SET NULL"),
    sa.Column(
        "job_id",
        sa.BigInteger(),
        sa.ForeignKey("generation_jobs.id", ondelete="SET NULL"),
        unique=True,
    ),
    sa.Column("amount", sa.BigInteger(), nullable=False),
    sa.Column("captured", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("status", HOLD_STATUS, nullable=False, server_default=HoldStatus.PENDING.value),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("settled_at", UtcDateTime()),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=NOW),
    sa.CheckConstraint("amount > 0", name="amount_positive"),
    sa.CheckConstraint("captured >= 0 AND captured <= amount", name="captured_within_amount"),
)
partial_index(
    "idx_credit_holds_pending_expiry",
    credit_holds.c.expires_at,
    where=credit_holds.c.status == HoldStatus.PENDING.value,
)

credit_lots = sa.Table(
    "credit_lots",
    metadata,
    id_column(),
    foreign_key("user_id", "users.id", "CASCADE", nullable=False),
    sa.Column("category", LOT_CATEGORY, nullable=False),
    sa.Column("amount", sa.BigInteger(), nullable=False),
    sa.Column("remaining", sa.BigInteger(), nullable=False),
    sa.Column("reference_id", sa.String(200), nullable=False, unique=True),
    sa.Column("priority", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("expires_at", UtcDateTime()),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=NOW),
    sa.CheckConstraint("amount > 0", name="amount_positive"),
    sa.CheckConstraint("remaining >= 0 AND remaining <= amount", name="remaining_within_amount"),
)
partial_index(
    "idx_credit_lots_open",
    credit_lots.c.user_id,
    credit_lots.c.priority,
    where=credit_lots.c.remaining > 0,
)
