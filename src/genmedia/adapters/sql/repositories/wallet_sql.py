"""The wallet's hot statements, built once on first use and reused (bind parameters only).

Reusing one statement object lets SQLAlchemy skip rebuilding and re-hashing it on every
call, which matters on a hot wallet where the row lock is held while the client works.
"""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.unnest import unnested
from genmedia.adapters.sql.tables import credit_holds, credit_lots, wallet_transactions, wallets
from genmedia.adapters.sql.tables.base import UtcDateTime
from genmedia.domain.holds import HoldStatus

w, ledger, lots, holds = wallets, wallet_transactions, credit_lots, credit_holds
P = sa.bindparam


@functools.cache
def reserve() -> sa.Update:
    """held += :amount where balance − held covers it."""
    return (
        sa.update(w)
        .where(w.c.user_id == P("u"), w.c.balance - w.c.held >= P("amount"))
        .values(held=w.c.held + P("amount"), version=w.c.version + 1)
    )


@functools.cache
def release() -> sa.Update:
    """held −= :amount where that much is held."""
    return (
        sa.update(w)
        .where(w.c.user_id == P("u"), w.c.held >= P("amount"))
        .values(held=w.c.held - P("amount"), version=w.c.version + 1)
    )


@functools.cache
def apply() -> sa.Update:
    """Move the balance by :delta and free :freed held credits, keeping 0 ≤ held ≤ balance."""
    return (
        sa.update(w)
        .where(
            w.c.user_id == P("u"),
            w.c.held >= P("freed"),
            w.c.balance + P("delta") >= w.c.held - P("freed"),
        )
        .values(
            balance=w.c.balance + P("delta"),
            held=w.c.held - P("freed"),
            total_spent=w.c.total_spent + P("spent"),
            total_bought=w.c.total_bought + P("bought"),
            version=w.c.version + 1,
        )
        .returning(w.c.balance)
    )


@functools.cache
def open_lots() -> sa.Select[tuple[object, ...]]:
    """The user's lots with credits left."""
    return sa.select(lots).where(lots.c.user_id == P("u"), lots.c.remaining > 0)


@functools.cache
def take_from_first_lot() -> sa.Update:
    """Take :take from the user's first lot in consumption order, if it holds that much.

    The order matches CreditLot.sort_key: priority, soonest expiry (never-expiring last),
    promotional before paid, oldest first.
    """
    first = (
        sa.select(lots.c.id)
        .where(lots.c.user_id == P("u"), lots.c.remaining > 0)
        .order_by(
            lots.c.priority,
            lots.c.expires_at.is_(None),
            lots.c.expires_at,
            lots.c.category == "paid",
            lots.c.created_at,
            lots.c.id,
        )
        .limit(1)
        .scalar_subquery()
    )
    return (
        sa.update(lots)
        .where(lots.c.id == first, lots.c.remaining >= P("take"))
        .values(remaining=lots.c.remaining - P("take"))
    )


@functools.cache
def take_from_lot() -> sa.Update:
    """remaining −= :take where at least that much remains."""
    return (
        sa.update(lots)
        .where(lots.c.id == P("lot"), lots.c.remaining >= P("take"))
        .values(remaining=lots.c.remaining - P("take"))
    )


@functools.cache
def database_now() -> sa.Select[Any]:
    """The database's clock."""
    return sa.select(sa.type_coerce(sa.func.now(), UtcDateTime()))


@functools.cache
def hold_by_id() -> sa.Select[tuple[object, ...]]:
    """One hold."""
    return sa.select(holds).where(holds.c.id == P("hold"))


@functools.cache
def insert_hold() -> sa.Insert:
    """A new pending hold; its id (in the order of the parameters, when many)."""
    return sa.insert(holds).returning(holds.c.id, sort_by_parameter_order=True)


@functools.cache
def settle_hold() -> sa.Update:
    """Write a hold's settlement where it is still pending."""
    return (
        sa.update(holds)
        .where(holds.c.id == P("hold"), holds.c.status == HoldStatus.PENDING.value)
        .values(status=P("status"), captured=P("captured"), settled_at=P("settled_at"))
    )


@functools.cache
def settle_holds_unnested() -> sa.Update:
    """`settle_hold` of many holds from arrays (PostgreSQL): same names, one statement."""
    fields = {"hold": "id", "status": "status", "captured": "captured", "settled_at": "settled_at"}
    given = unnested(holds, fields)
    return (
        sa.update(holds)
        .where(holds.c.id == given.c.hold, holds.c.status == HoldStatus.PENDING.value)
        .values(status=given.c.status, captured=given.c.captured, settled_at=given.c.settled_at)
    )


@functools.cache
def holds_of_jobs() -> sa.Select[tuple[object, ...]]:
    """The holds of :jobs (expanding), locked in id order."""
    return (
        sa.select(holds)
        .where(holds.c.job_id.in_(P("jobs", expanding=True)))
        .order_by(holds.c.id)
        .with_for_update()
    )


@functools.cache
def insert_entries() -> sa.Insert:
    """Append ledger entries, their ids and times returned in the order given."""
    return sa.insert(ledger).returning(
        ledger.c.id, ledger.c.created_at, sort_by_parameter_order=True
    )
