"""Wallets, ledger and lots in SQL: each movement is a guarded UPDATE plus appended rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from genmedia.adapters.sql.repositories.base import (
    SqlRepository,
    is_unique_violation,
    unique_or_already_exists,
)
from genmedia.adapters.sql.repositories.unnest import arrays, as_arrays, insert_all, on_postgresql
from genmedia.adapters.sql.repositories.wallet import statements as q
from genmedia.adapters.sql.repositories.wallet.rows import (
    entry_from_row,
    entry_row,
    lot_from_row,
    lot_row,
    wallet_from_row,
)
from genmedia.adapters.sql.tables import credit_lots, wallet_transactions, wallets
from genmedia.application.errors import StaleAggregate
from genmedia.application.ports import WalletRepository
from genmedia.domain.errors import DomainError, InsufficientCredits, NotFound
from genmedia.domain.lots import CreditLot, plan_consumption
from genmedia.domain.wallet import EntryType, LedgerEntry, Movement, Posting, Wallet

w, ledger, lots = wallets, wallet_transactions, credit_lots


class SqlWalletRepository(SqlRepository, WalletRepository):
    """Wallets whose every change is one conditional UPDATE on the wallet row."""

    def add(self, wallet: Wallet) -> Wallet:
        """Open a wallet; AlreadyExists if the user has one."""
        with unique_or_already_exists(self._connection, "wallet", wallet.user_id):
            self._connection.execute(sa.insert(w).values(user_id=wallet.user_id))
        return wallet

    def get(self, user_id: int) -> Wallet:
        """The wallet as it is now."""
        row = self._one(sa.select(w).where(w.c.user_id == user_id))
        if row is None:
            raise NotFound("wallet", user_id)
        return wallet_from_row(row)

    def _all_params(self, statement: sa.Executable, params: dict[str, object]) -> list[sa.Row[Any]]:
        return list(self._connection.execute(statement, params).all())

    def reserve(self, user_id: int, amount: int) -> None:
        """Make `Movement.reserve` behind the wallet's guard."""
        self._move(user_id, Movement.reserve(amount))

    def release(self, user_id: int, amount: int) -> None:
        """Make `Movement.release` behind the wallet's guard."""
        self._move(user_id, Movement.release(amount))

    def _move(self, user_id: int, movement: Movement) -> int:
        """Make the movement where it keeps 0 ≤ held ≤ balance; the new balance."""
        after = self._connection.execute(q.move(), _bound(user_id, movement)).scalar_one_or_none()
        if after is None:
            raise self._refused(user_id, movement)
        return int(after)

    def _refused(self, user_id: int, movement: Movement) -> DomainError:
        """Why the guard refused the movement, as the domain says it of the wallet now."""
        wallet = self.get(user_id)
        refusal = wallet.refusal(movement)  # None only if the wallet moved since the guard
        return refusal or InsufficientCredits(movement.needed, wallet.available + movement.freed)

    def post(
        self,
        user_id: int,
        posting: Posting,
        *,
        from_lot: int | None = None,
        lot_expires_at: datetime | None = None,
    ) -> LedgerEntry:
        """Apply a posting once; a duplicate reference is caught from the unique index.

        A replay can also be refused by the balance guard first (the balance moved since);
        the reference decides then too.
        """
        try:
            with self._connection.begin_nested():
                return self._write(user_id, posting, from_lot, lot_expires_at)
        except IntegrityError as error:
            if not is_unique_violation(error):
                raise
            refusal: Exception = error
        except InsufficientCredits as error:
            refusal = error
        first = self.entry(posting.reference_id)
        if first is None:
            raise refusal
        return first.replayed_by(user_id, posting)

    def _write(
        self, user_id: int, posting: Posting, from_lot: int | None, expires_at: datetime | None
    ) -> LedgerEntry:
        entry = self._apply_all(user_id, Movement.post([posting]))[0]
        if posting.type is EntryType.CREDIT:
            self._open(CreditLot.opened_by(user_id, posting, expires_at))
        else:
            self._consume(user_id, posting.amount, from_lot)
        return entry

    def post_all(
        self, user_id: int, postings: Sequence[Posting], *, release: int = 0
    ) -> list[LedgerEntry]:
        """Apply debits with one wallet UPDATE and one INSERT of their entries; the entries.
        On PostgreSQL both, and the lot they draw on, are one statement."""
        if any(posting.type is not EntryType.DEBIT for posting in postings):
            raise ValueError("post_all() takes debits only")
        movement = Movement.post(postings, release=release)
        if not postings:
            if release:
                self._move(user_id, movement)
            return []
        if on_postgresql(self._connection):
            return self._post_debits(user_id, movement)
        entries = self._apply_all(user_id, movement)
        self._consume(user_id, -movement.delta, None)
        return entries

    def _post_debits(self, user_id: int, movement: Movement) -> list[LedgerEntry]:
        """`post_all` in one statement (see statements.post_debits)."""
        entries = movement.entries(user_id, 0)  # balances as offsets from the balance before
        values = [entry_row(entry) for entry in entries]
        params: dict[str, Any] = {
            f"e_{name}": column for name, column in arrays(values, q.DEBIT_FIELDS).items()
        }
        params.update(_bound(user_id, movement), take=-movement.delta)
        rows = self._connection.execute(q.post_debits(), params).all()
        if not rows:
            raise self._refused(user_id, movement)
        if not rows[0].took:
            self._consume(user_id, -movement.delta, None)
        start = rows[0].balance - movement.delta
        return [
            attrs.evolve(
                entry,
                id=row.id,
                created_at=row.created_at,
                balance_before=start + entry.balance_before,
                balance_after=start + entry.balance_after,
            )
            for entry, row in zip(entries, rows, strict=True)
        ]

    def _apply_all(self, user_id: int, movement: Movement) -> list[LedgerEntry]:
        """Make the movement, then append its entries, each with the balance before and
        after it in turn."""
        after = self._move(user_id, movement)
        entries = movement.entries(user_id, after - movement.delta)
        values = [entry_row(entry) for entry in entries]
        if as_arrays(self._connection, values):
            rows = insert_all(self._connection, ledger, values)
        else:
            rows = list(self._connection.execute(q.insert_entries(), values).all())
        return [
            attrs.evolve(entry, id=row.id, created_at=row.created_at)
            for entry, row in zip(entries, rows, strict=True)
        ]

    def _open(self, lot: CreditLot) -> None:
        self._connection.execute(sa.insert(lots).values(lot_row(lot)))

    def _consume(self, user_id: int, amount: int, first: int | None) -> None:
        """Draw `amount` from the user's lots as `plan_consumption` plans it; when no lot is
        chosen to go first, the first lot in consumption order alone if it covers it."""
        if first is None:
            params = {"u": user_id, "take": amount}
            if self._connection.execute(q.take_from_first_lot(), params).rowcount == 1:
                return
        open_lots = [lot_from_row(r) for r in self._all_params(q.open_lots(), {"u": user_id})]
        for lot, take in plan_consumption(open_lots, amount, first=first):
            done = self._connection.execute(q.take_from_lot(), {"lot": lot.id, "take": take})
            if done.rowcount != 1:
                raise StaleAggregate(f"credit lot {lot.id} changed while it was consumed")

    def entries(
        self, user_id: int, limit: int = 20, before_id: int | None = None
    ) -> list[LedgerEntry]:
        """The user's entries, newest first, before `before_id` when given."""
        query = sa.select(ledger).where(ledger.c.user_id == user_id)
        if before_id is not None:
            query = query.where(ledger.c.id < before_id)
        return [
            entry_from_row(r) for r in self._all(query.order_by(ledger.c.id.desc()).limit(limit))
        ]

    def entry(self, reference_id: str) -> LedgerEntry | None:
        """The entry applied under this reference."""
        row = self._one(sa.select(ledger).where(ledger.c.reference_id == reference_id))
        return entry_from_row(row) if row else None

    def lot(self, reference_id: str) -> CreditLot | None:
        """The lot opened under this reference."""
        row = self._one(sa.select(lots).where(lots.c.reference_id == reference_id))
        return lot_from_row(row) if row else None

    def expiring_lots(self, now: datetime, limit: int) -> list[CreditLot]:
        """Open lots past their expiry."""
        query = (
            sa.select(lots)
            .where(lots.c.remaining > 0, lots.c.expires_at.is_not(None), lots.c.expires_at < now)
            .order_by(lots.c.expires_at, lots.c.id)
            .limit(limit)
        )
        return [lot_from_row(r) for r in self._all(query)]

    def now(self) -> datetime:
        """The database's clock."""
        value: datetime = self._connection.execute(q.database_now()).scalar_one()
        return value


def _bound(user_id: int, movement: Movement) -> dict[str, int]:
    """The bind values of `statements.move` for this user's movement."""
    return {
        "u": user_id,
        "delta": movement.delta,
        "reserved": movement.reserved,
        "freed": movement.freed,
        "spent": movement.spent,
        "bought": movement.bought,
    }
