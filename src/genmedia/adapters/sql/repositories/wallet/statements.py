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
from genmedia.domain.lots import CONSUMPTION_ORDER

w, ledger, lots, holds = wallets, wallet_transactions, credit_lots, credit_holds
P = sa.bindparam


def _moved(user: sa.BindParameter[Any]) -> sa.Update:
    """The wallet UPDATE of `move`, for the user bound as `user`."""
    held = w.c.held + P("reserved") - P("freed")
    return (
        sa.update(w)
        .where(w.c.user_id == user, held >= 0, w.c.balance + P("delta") >= held)
        .values(
            balance=w.c.balance + P("delta"),
            held=held,
            total_spent=w.c.total_spent + P("spent"),
            total_bought=w.c.total_bought + P("bought"),
            version=w.c.version + 1,
        )
        .returning(w.c.balance)
    )


@functools.cache
def move() -> sa.Update:
    """Make a `Movement` (its fields bound by name) where the wallet stays within
    0 ≤ held ≤ balance; the new balance, or no row if that guard refused it."""
    return _moved(P("u"))


@functools.cache
def open_lots() -> sa.Select[tuple[object, ...]]:
    """The user's lots with credits left."""
    return sa.select(lots).where(lots.c.user_id == P("u"), lots.c.remaining > 0)


def _consumption_order() -> list[sa.ColumnElement[Any]]:
    """CONSUMPTION_ORDER as ORDER BY terms, ordering rows as `SortTerm.key` orders lots."""
    order: list[sa.ColumnElement[Any]] = []
    for term in CONSUMPTION_ORDER:
        column = lots.c[term.field]
        order += [column == term.last] if term.last is not None else [column.is_(None), column]
    return order


def _first_lot(user: sa.BindParameter[Any]) -> sa.ScalarSelect[Any]:
    """The id of the user's first lot with credits left, in consumption order."""
    return (
        sa.select(lots.c.id)
        .where(lots.c.user_id == user, lots.c.remaining > 0)
        .order_by(*_consumption_order())
        .limit(1)
        .scalar_subquery()
    )


@functools.cache
def take_from_first_lot() -> sa.Update:
    """Take :take from the user's first lot in consumption order, if it holds that much."""
    return (
        sa.update(lots)
        .where(lots.c.id == _first_lot(P("u")), lots.c.remaining >= P("take"))
        .values(remaining=lots.c.remaining - P("take"))
    )


# The columns of a debit's ledger entry that `post_debits` binds as arrays, each named
# e_<column> (balance_before and balance_after are offsets from the balance before).
DEBIT_FIELDS = (
    "type", "kind", "amount", "balance_before", "balance_after", "reason", "source", "status",
    "reference_id", "fingerprint", "request_id", "job_id", "media_id", "trained_model_id",
    "coupon_id", "gift_card_id", "payment_id",
)  # fmt: skip


@functools.cache
def post_debits() -> sa.Select[tuple[int, Any, int, int]]:
    """`move`, the INSERT of the debits' entries and `take_from_first_lot` of their sum, in
    one statement (PostgreSQL), so that the wallet row stays locked for one round trip
    instead of three: the entries' ids and times in the order given, each with the wallet's
    new balance and whether the first lot covered the sum (1) or not (0: it did not, or the
    statement could not tell which lot is first now). No rows when the wallet refused the
    movement.

    The entries are bound as arrays of DEBIT_FIELDS, each named with an `e_` prefix, their
    balances as offsets (`Movement.entries` from 0): each entry's balance is the wallet's
    new balance, less :delta, plus its offset. A contract test ties it to the domain.
    """
    user = P("u", type_=w.c.user_id.type)
    seen = sa.select(w.c.version).where(w.c.user_id == user).cte("seen")
    moved = _moved(user).returning(w.c.version).cte("moved")
    # Prefixed: a parameter named like a column of an UPDATEd table would join its SET.
    given = unnested(ledger, {f"e_{name}": name for name in DEBIT_FIELDS})
    start = moved.c.balance - P("delta")
    offsets = {"balance_before", "balance_after"}
    values = [
        start + given.c[f"e_{name}"] if name in offsets else given.c[f"e_{name}"]
        for name in DEBIT_FIELDS
    ]
    entries = (
        sa.insert(ledger)
        .from_select(
            ["user_id", *DEBIT_FIELDS],
            sa.select(user, *values)
            .select_from(given)
            .join(moved, sa.true())
            .order_by(given.c.ordinal),
        )
        .returning(ledger.c.id, ledger.c.created_at)
        .cte("entries")
    )
    # The first lot is picked in the snapshot the statement started with, which is older
    # than the wallet row it waited for if another transaction moved the wallet meanwhile
    # (and every change of lots moves the wallet): then it takes no lot, and the caller
    # draws on the lots in a statement of its own, which sees them as they are now.
    alone = moved.join(seen, moved.c.version == seen.c.version + 1)
    took = (
        sa.update(lots)
        .where(
            lots.c.id == _first_lot(user),
            lots.c.remaining >= P("take"),
            sa.exists(sa.select(moved.c.balance).select_from(alone)),
        )
        .values(remaining=lots.c.remaining - P("take"))
        .returning(lots.c.id)
        .cte("took")
    )
    covered = sa.select(sa.func.count()).select_from(took).scalar_subquery()
    return (
        sa.select(entries.c.id, entries.c.created_at, moved.c.balance, covered.label("took"))
        .select_from(entries)
        .join(moved, sa.true())
        .order_by(entries.c.id)
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
def capture_holds() -> sa.Update:
    """`CreditHold.capture` of the pending holds of :c_job (array), each of the job's
    :c_cost (LEAST is its clamp), stamped :now; the holds locked in id order first. The
    holds captured come back (PostgreSQL). A contract test ties it to the domain."""
    given = sa.select(unnested(holds, {"c_job": "job_id", "c_cost": "amount"})).cte("given")
    pending = sa.and_(holds.c.job_id == given.c.c_job, holds.c.status == HoldStatus.PENDING.value)
    locked = (
        sa.select(holds.c.id)
        .join(given, pending)
        .order_by(holds.c.id)
        .with_for_update(of=holds)
        .cte("locked")
    )
    return (
        sa.update(holds)
        .where(holds.c.id == locked.c.id, pending)
        .values(
            status=HoldStatus.CAPTURED.value,
            captured=sa.func.least(holds.c.amount, given.c.c_cost),
            settled_at=P("now", type_=holds.c.settled_at.type),
        )
        .returning(*holds.c)
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
