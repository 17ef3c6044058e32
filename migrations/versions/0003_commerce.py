"""Credit packs, payments, coupons, coupon redemptions and gift cards.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 10:00:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAYMENT_PROVIDER = sa.Enum("telegram_stars", "webhook", name="payment_provider_enum")
PAYMENT_STATUS = sa.Enum("pending", "paid", "refunded", "failed", name="payment_status_enum")
PAYMENT_PURPOSE = sa.Enum("purchase", "gift_card", name="payment_purpose_enum")
DISCOUNT_TYPE = sa.Enum("percentage", "fixed_amount", "credits", name="coupon_discount_type_enum")
GIFT_CARD_STATUS = sa.Enum("pending", "active", "redeemed", "expired", name="gift_card_status_enum")
ENUMS = (PAYMENT_PROVIDER, PAYMENT_STATUS, PAYMENT_PURPOSE, DISCOUNT_TYPE, GIFT_CARD_STATUS)
TABLES = ("coupon_redemptions", "payments", "gift_cards", "coupons", "credit_packs")

JSON_DOC = postgresql.JSONB(none_as_null=True).with_variant(sa.JSON(none_as_null=True), "sqlite")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NOW = sa.text("CURRENT_TIMESTAMP")


def _enum(enum: sa.Enum) -> sa.Enum:
    return sa.Enum(*enum.enums, name=enum.name, create_type=False)


def _money(name: str, default: str | None = None) -> sa.Column[Any]:
    return sa.Column(name, sa.BigInteger(), server_default=default, nullable=False)


def _fk(table: str, name: str, target: str, ondelete: str, nullable: bool = True) -> sa.Column[Any]:
    referred = target.split(".")[0]
    key = sa.ForeignKey(target, ondelete=ondelete, name=op.f(f"fk_{table}_{name}_{referred}"))
    return sa.Column(name, sa.BigInteger(), key, nullable=nullable)


def _unique(table: str, *columns: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{'_'.join(columns)}"))


def _check(table: str, name: str, condition: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))


def _stamp(name: str, nullable: bool = True) -> sa.Column[Any]:
    default = None if nullable else NOW
    return sa.Column(name, sa.DateTime(timezone=True), server_default=default, nullable=nullable)


def _flag(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.Boolean(), server_default=sa.text("true"), nullable=False)


def _table(name: str, *items: Any) -> None:
    key = sa.Column("id", BIG_ID, autoincrement=True, nullable=False)
    op.create_table(name, key, *items, sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")))


def upgrade() -> None:
    """Create the commerce enums and tables."""
    bind = op.get_bind()
    for enum in ENUMS:
        enum.create(bind, checkfirst=True)
    _credit_packs()
    _coupons()
    _gift_cards()
    _payments()
    _redemptions()


def downgrade() -> None:
    """Drop the tables and enums."""
    for table in TABLES:
        op.drop_table(table)
    bind = op.get_bind()
    for enum in ENUMS:
        enum.drop(bind, checkfirst=True)


def _credit_packs() -> None:
    t = "credit_packs"
    _table(
        t,
        sa.Column("name", sa.String(128), nullable=False),
        _money("credits"),
        _money("price"),
        sa.Column("currency", sa.String(3), nullable=False),
        _flag("is_active"),
        _stamp("created_at", nullable=False),
        _unique(t, "name"),
        _check(t, "credits_positive", "credits > 0"),
        _check(t, "price_not_negative", "price >= 0"),
    )


def _coupons() -> None:
    t = "coupons"
    _table(
        t,
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("discount_type", _enum(DISCOUNT_TYPE), nullable=False),
        _money("discount_value"),
        sa.Column("currency", sa.String(3)),
        sa.Column("max_uses", sa.Integer()),
        sa.Column("used_count", sa.Integer(), server_default="0", nullable=False),
        _stamp("valid_from", nullable=False),
        _stamp("valid_until"),
        _flag("is_active"),
        _stamp("created_at", nullable=False),
        _unique(t, "code"),
        _check(t, "discount_value_positive", "discount_value > 0"),
        _check(
            t, "percentage_at_most_100", "discount_type <> 'percentage' OR discount_value <= 100"
        ),
        _check(t, "max_uses_positive", "max_uses IS NULL OR max_uses > 0"),
        _check(
            t,
            "used_count_within_max_uses",
            "used_count >= 0 AND (max_uses IS NULL OR used_count <= max_uses)",
        ),
        _check(
            t, "valid_until_after_valid_from", "valid_until IS NULL OR valid_until > valid_from"
        ),
    )


def _gift_cards() -> None:
    t = "gift_cards"
    _table(
        t,
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("code_hint", sa.String(8), nullable=False),
        _fk(t, "purchaser_user_id", "users.id", "SET NULL"),
        sa.Column("purchaser_email", sa.String(254)),
        sa.Column("recipient_email", sa.String(254)),
        _fk(t, "credit_pack_id", "credit_packs.id", "SET NULL"),
        _money("credits"),
        _money("price"),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", _enum(GIFT_CARD_STATUS), server_default="pending", nullable=False),
        _fk(t, "redeemed_by", "users.id", "SET NULL"),
        _stamp("redeemed_at"),
        _stamp("expires_at"),
        _stamp("created_at", nullable=False),
        _unique(t, "code_hash"),
        _check(t, "credits_positive", "credits > 0"),
        _check(t, "price_not_negative", "price >= 0"),
        _check(t, "redeemed_at_when_redeemed", "(status = 'redeemed') = (redeemed_at IS NOT NULL)"),
    )
    where = sa.text("status = 'active'")
    op.create_index(
        "idx_gift_cards_active_expiry",
        t,
        ["expires_at"],
        postgresql_where=where,
        sqlite_where=where,
    )


def _payments() -> None:
    t = "payments"
    _table(
        t,
        sa.Column("provider", _enum(PAYMENT_PROVIDER), nullable=False),
        sa.Column("purpose", _enum(PAYMENT_PURPOSE), nullable=False),
        sa.Column("status", _enum(PAYMENT_STATUS), server_default="pending", nullable=False),
        _fk(t, "user_id", "users.id", "SET NULL"),
        _fk(t, "credit_pack_id", "credit_packs.id", "SET NULL"),
        _fk(t, "gift_card_id", "gift_cards.id", "SET NULL"),
        _fk(t, "coupon_id", "coupons.id", "SET NULL"),
        _money("amount"),
        sa.Column("currency", sa.String(3), nullable=False),
        _money("credits"),
        sa.Column("charge_id", sa.String(150)),
        _stamp("paid_at"),
        _stamp("refunded_at"),
        sa.Column("metadata", JSON_DOC),
        _stamp("created_at", nullable=False),
        _unique(t, "provider", "charge_id"),
        _check(t, "amount_not_negative", "amount >= 0"),
        _check(t, "credits_positive", "credits > 0"),
        _check(
            t,
            "charge_when_paid",
            "status IN ('pending', 'failed') OR (charge_id IS NOT NULL AND paid_at IS NOT NULL)",
        ),
    )
    op.create_index("idx_payments_user_id", t, ["user_id", "id"])


def _redemptions() -> None:
    t = "coupon_redemptions"
    _table(
        t,
        _fk(t, "coupon_id", "coupons.id", "CASCADE", nullable=False),
        _fk(t, "user_id", "users.id", "CASCADE", nullable=False),
        _money("credits_awarded", "0"),
        _money("discount_applied", "0"),
        _fk(t, "payment_id", "payments.id", "SET NULL"),
        sa.Column("reference_id", sa.String(200)),
        _stamp("redeemed_at", nullable=False),
        _unique(t, "coupon_id", "user_id"),
        _check(t, "amounts_not_negative", "credits_awarded >= 0 AND discount_applied >= 0"),
    )
