"""Credit packs, payments, coupons, their redemptions and gift cards (SPEC WAL-4…6)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from genmedia.adapters.sql.tables.base import (
    JSON_DOC,
    NOW,
    UtcDateTime,
    counter,
    enum_type,
    flag,
    foreign_key,
    id_column,
    metadata,
    partial_index,
)
from genmedia.domain.coupons import DiscountType
from genmedia.domain.gift_cards import GiftCardStatus
from genmedia.domain.purchases import PaymentProvider, PaymentPurpose, PaymentStatus

PAYMENT_PROVIDER = enum_type(PaymentProvider, "payment_provider_enum")
PAYMENT_STATUS = enum_type(PaymentStatus, "payment_status_enum")
PAYMENT_PURPOSE = enum_type(PaymentPurpose, "payment_purpose_enum")
DISCOUNT_TYPE = enum_type(DiscountType, "coupon_discount_type_enum")
GIFT_CARD_STATUS = enum_type(GiftCardStatus, "gift_card_status_enum")


def _money(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def _currency() -> sa.Column[str]:
    return sa.Column("currency", sa.String(3), nullable=False)


def _created() -> sa.Column[datetime]:
    return sa.Column("created_at", UtcDateTime(), nullable=False, server_default=NOW)


credit_packs = sa.Table(
    "credit_packs",
    metadata,
    id_column(),
    sa.Column("name", sa.String(128), nullable=False, unique=True),
    _money("credits"),
    _money("price"),
    _currency(),
    flag("is_active", True),
    _created(),
    sa.CheckConstraint("credits > 0", name="credits_positive"),
    sa.CheckConstraint("price >= 0", name="price_not_negative"),
)

coupons = sa.Table(
    "coupons",
    metadata,
    id_column(),
    sa.Column("code", sa.String(64), nullable=False, unique=True),
    sa.Column("description", sa.Text(), nullable=False, server_default=""),
    sa.Column("discount_type", DISCOUNT_TYPE, nullable=False),
    _money("discount_value"),
    sa.Column("currency", sa.String(3)),
    sa.Column("max_uses", sa.Integer()),
    counter("used_count"),
    sa.Column("valid_from", UtcDateTime(), nullable=False),
    sa.Column("valid_until", UtcDateTime()),
    flag("is_active", True),
    _created(),
    sa.CheckConstraint("discount_value > 0", name="discount_value_positive"),
    sa.CheckConstraint(
        "discount_type <> 'percentage' OR discount_value <= 100", name="percentage_at_most_100"
    ),
    sa.CheckConstraint("max_uses IS NULL OR max_uses > 0", name="max_uses_positive"),
    sa.CheckConstraint(
        "used_count >= 0 AND (max_uses IS NULL OR used_count <= max_uses)",
        name="used_count_within_max_uses",
    ),
    sa.CheckConstraint(
        "valid_until IS NULL OR valid_until > valid_from", name="valid_until_after_valid_from"
    ),
)

gift_cards = sa.Table(
    "gift_cards",
    metadata,
    id_column(),
    sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("code_hint", sa.String(8), nullable=False),
    foreign_key("purchaser_user_id", "users.id", "SET NULL"),
    sa.Column("purchaser_email", sa.String(254)),
    sa.Column("recipient_email", sa.String(254)),
    foreign_key("credit_pack_id", "credit_packs.id", "SET NULL"),
    _money("credits"),
    _money("price"),
    _currency(),
    sa.Column(
        "status", GIFT_CARD_STATUS, nullable=False, server_default=GiftCardStatus.PENDING.value
    ),
    foreign_key("redeemed_by", "users.id", "SET NULL"),
    sa.Column("redeemed_at", UtcDateTime()),
    sa.Column("expires_at", UtcDateTime()),
    _created(),
    sa.CheckConstraint("credits > 0", name="credits_positive"),
    sa.CheckConstraint("price >= 0", name="price_not_negative"),
    sa.CheckConstraint(
        "(status = 'redeemed') = (redeemed_at IS NOT NULL)", name="redeemed_at_when_redeemed"
    ),
)
partial_index(
    "idx_gift_cards_active_expiry",
    gift_cards.c.expires_at,
    where=gift_cards.c.status == GiftCardStatus.ACTIVE.value,
)

payments = sa.Table(
    "payments",
    metadata,
    id_column(),
    sa.Column("reference", sa.String(64), nullable=False, unique=True),
    sa.Column("provider", PAYMENT_PROVIDER, nullable=False),
    sa.Column("purpose", PAYMENT_PURPOSE, nullable=False),
    sa.Column("status", PAYMENT_STATUS, nullable=False, server_default=PaymentStatus.PENDING.value),
    foreign_key("user_id", "users.id", "SET NULL"),
    foreign_key("credit_pack_id", "credit_packs.id", "SET NULL"),
    foreign_key("gift_card_id", "gift_cards.id", "SET NULL"),
    foreign_key("coupon_id", "coupons.id", "SET NULL"),
    _money("amount"),
    _currency(),
    _money("credits"),
    sa.Column("charge_id", sa.String(150)),
    sa.Column("paid_at", UtcDateTime()),
    sa.Column("refunded_at", UtcDateTime()),
    sa.Column("metadata", JSON_DOC),
    _created(),
    sa.UniqueConstraint("provider", "charge_id"),
    sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
    sa.CheckConstraint("credits > 0", name="credits_positive"),
    sa.CheckConstraint(
        "status IN ('pending', 'failed') OR (charge_id IS NOT NULL AND paid_at IS NOT NULL)",
        name="charge_when_paid",
    ),
)
sa.Index("idx_payments_user_id", payments.c.user_id, payments.c.id)

coupon_redemptions = sa.Table(
    "coupon_redemptions",
    metadata,
    id_column(),
    foreign_key("coupon_id", "coupons.id", "CASCADE", nullable=False),
    foreign_key("user_id", "users.id", "CASCADE", nullable=False),
    sa.Column("credits_awarded", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("discount_applied", sa.BigInteger(), nullable=False, server_default="0"),
    foreign_key("payment_id", "payments.id", "SET NULL"),
    sa.Column("reference_id", sa.String(200)),
    sa.Column("redeemed_at", UtcDateTime(), nullable=False, server_default=NOW),
    sa.UniqueConstraint("coupon_id", "user_id"),
    sa.CheckConstraint(
        "credits_awarded >= 0 AND discount_applied >= 0", name="amounts_not_negative"
    ),
)
