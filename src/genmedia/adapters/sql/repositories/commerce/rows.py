"""Mapping credit pack, payment, coupon and gift card rows to domain objects."""

from __future__ import annotations

from typing import Any

import attrs
import sqlalchemy as sa

from genmedia.domain.coupons import Coupon
from genmedia.domain.gift_cards import GiftCard
from genmedia.domain.purchases import CreditPack, Payment


def row_of(obj: Any, *, without: tuple[str, ...] = ("id", "created_at")) -> dict[str, Any]:
    """The column values of a new object: its fields, minus the ones the database sets."""
    return attrs.asdict(obj, recurse=False, filter=lambda a, v: a.name not in without)


def pack_from_row(row: sa.Row[Any]) -> CreditPack:
    """The credit pack a row holds."""
    return CreditPack(**row._asdict())


def payment_from_row(row: sa.Row[Any]) -> Payment:
    """The payment a row holds."""
    values = row._asdict()
    values["metadata"] = dict(values["metadata"] or {})
    return Payment(**values)


def coupon_from_row(row: sa.Row[Any]) -> Coupon:
    """The coupon a row holds."""
    return Coupon(**row._asdict())


def gift_card_from_row(row: sa.Row[Any]) -> GiftCard:
    """The gift card a row holds."""
    return GiftCard(**row._asdict())
