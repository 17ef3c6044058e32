"""Mapping wallet, ledger, hold and lot rows to domain objects."""

from __future__ import annotations

from typing import Any

import attrs
import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import row_values
from genmedia.domain.holds import CreditHold
from genmedia.domain.lots import CreditLot
from genmedia.domain.wallet import LedgerEntry, Links, Wallet

LINK_FIELDS = tuple(f.name for f in attrs.fields(Links))
_HOLD_FIELDS = tuple(f.name for f in attrs.fields(CreditHold))


def wallet_from_row(row: sa.Row[Any]) -> Wallet:
    """The wallet a row holds."""
    return Wallet(
        user_id=row.user_id,
        balance=row.balance,
        held=row.held,
        total_spent=row.total_spent,
        total_bought=row.total_bought,
    )


def entry_from_row(row: sa.Row[Any]) -> LedgerEntry:
    """The ledger entry a row holds."""
    return LedgerEntry(
        id=row.id,
        user_id=row.user_id,
        type=row.type,
        kind=row.kind,
        amount=row.amount,
        balance_before=row.balance_before,
        balance_after=row.balance_after,
        reason=row.reason,
        source=row.source,
        status=row.status,
        reference_id=row.reference_id,
        fingerprint=row.fingerprint,
        links=Links(**{name: getattr(row, name) for name in LINK_FIELDS}),
        created_at=row.created_at,
    )


def entry_row(entry: LedgerEntry) -> dict[str, Any]:
    """The column values of a new ledger entry."""
    values = attrs.asdict(
        entry, recurse=False, filter=lambda a, v: a.name not in ("id", "links", "created_at")
    )
    return {**values, **attrs.asdict(entry.links)}


def hold_from_row(row: sa.Row[Any]) -> CreditHold:
    """The hold a row holds."""
    columns = row_values(row)
    return CreditHold(**{name: columns[name] for name in _HOLD_FIELDS})


def lot_from_row(row: sa.Row[Any]) -> CreditLot:
    """The lot a row holds."""
    return CreditLot(
        id=row.id,
        user_id=row.user_id,
        category=row.category,
        amount=row.amount,
        remaining=row.remaining,
        reference_id=row.reference_id,
        priority=row.priority,
        expires_at=row.expires_at,
        created_at=row.created_at,
    )


def lot_row(lot: CreditLot) -> dict[str, Any]:
    """The column values of a new lot."""
    return {
        "user_id": lot.user_id,
        "category": lot.category.value,
        "amount": lot.amount,
        "remaining": lot.remaining,
        "reference_id": lot.reference_id,
        "priority": lot.priority,
        "expires_at": lot.expires_at,
    }
