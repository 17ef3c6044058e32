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
    wallet_from_row,
)
from genmedia.adapters.sql.tables import credit_lots, wallet_transactions, wallets
from genmedia.application.errors import StaleAggregate
from genmedia.application.ports import WalletRepository
from genmedia.domain.errors import IdempotencyConflict, InsufficientCredits, InvalidValue, NotFound
from genmedia.domain.lots import CATEGORY_OF_KIND, CreditLot, LotCategory, plan_consumption
from genmedia.domain.wallet import SPENDING, EntryKind, EntryType, LedgerEntry, Posting, Wallet

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

    def _refused(self, user_id: int, amount: int) -> InsufficientCredits:
        return InsufficientCredits(amount, self.get(user_id).available)

    def reserve(self, user_id: int, amount: int) -> None:
        """held += amount, only while balance − held covers it."""
        done = self._connection.execute(q.reserve(), {"u": user_id, "amount": amount})
        if done.rowcount != 1:
            raise self._refused(user_id, amount)

    def release(self, user_id: int, amount: int) -> None:
        """held −= amount, only while that much is held."""
        done = self._connection.execute(q.release(), {"u": user_id, "amount": amount})
        if done.rowcount != 1:
            raise InvalidValue("amount", f"cannot release {amount} held credits")

    def post(
        self,
        user_id: int,
        posting: Posting,
        *,
        release: int = 0,
        from_lot: int | None = None,
        lot_expires_at: datetime | None = None,
        replay_checked: bool = False,
    ) -> LedgerEntry:
        """Apply a posting once; a duplicate reference is caught from the unique index.

        A replay can also be refused by the balance guard first (the balance moved since);
        the reference decides then too. With `replay_checked` no savepoint is taken.
        """

        def write() -> LedgerEntry:
            entry = self._apply(user_id, posting, release)
            if posting.type is EntryType.CREDIT:
                self._open_lot(user_id, posting, lot_expires_at)
            else:
                self._consume(user_id, posting.amount, from_lot)
            return entry

        if replay_checked:
            return write()
        try:
            with self._connection.begin_nested():
                return write()
        except IntegrityError as error:
            if not is_unique_violation(error):
                raise
            refusal: Exception = error
        except InsufficientCredits as error:
            refusal = error
        first = self.entry(posting.reference_id)
        if first is None:
            raise refusal
        if first.fingerprint != posting.fingerprint() or first.user_id != user_id:
            raise IdempotencyConflict(posting.reference_id)
        return first

    def post_all(
        self, user_id: int, postings: Sequence[Posting], *, release: int = 0
    ) -> list[LedgerEntry]:
        """Apply debits with one wallet UPDATE and one INSERT of their entries; the entries.
        On PostgreSQL both, and the lot they draw on, are one statement."""
        if any(posting.type is not EntryType.DEBIT for posting in postings):
            raise ValueError("post_all() takes debits only")
        if not postings:
            if release:
                self.release(user_id, release)
            return []
        if on_postgresql(self._connection):
            return self._post_debits(user_id, postings, release)
        entries = self._apply_all(user_id, postings, release)
        self._consume(user_id, sum(posting.amount for posting in postings), None)
        return entries

    def _post_debits(
        self, user_id: int, postings: Sequence[Posting], release: int
    ) -> list[LedgerEntry]:
        """`post_all` in one statement (see wallet_sql.post_debits)."""
        entries = _entries(user_id, postings, balance=0)
        values = [entry_row(entry) for entry in entries]
        params: dict[str, Any] = {
            f"e_{name}": column for name, column in arrays(values, q.DEBIT_FIELDS).items()
        }
        params.update(
            _movement(user_id, postings, release), take=sum(posting.amount for posting in postings)
        )
        rows = self._connection.execute(q.post_debits(), params).all()
        if not rows:
            raise self._refused(user_id, params["take"])
        if not rows[0].took:
            self._consume(user_id, params["take"], None)
        start = rows[0].balance - params["delta"]
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

    def _apply(self, user_id: int, posting: Posting, release: int) -> LedgerEntry:
        return self._apply_all(user_id, [posting], release)[0]

    def _apply_all(
        self, user_id: int, postings: Sequence[Posting], release: int
    ) -> list[LedgerEntry]:
        """Move the wallet by the postings' sum, then append their entries, each with the
        balance before and after it in turn."""
        params = _movement(user_id, postings, release)
        after = self._connection.execute(q.apply(), params).scalar_one_or_none()
        if after is None:
            raise self._refused(user_id, sum(posting.amount for posting in postings))
        entries = _entries(user_id, postings, balance=after - params["delta"])
        values = [entry_row(entry) for entry in entries]
        if as_arrays(self._connection, values):
            rows = insert_all(self._connection, ledger, values)
        else:
            rows = list(self._connection.execute(q.insert_entries(), values).all())
        return [
            attrs.evolve(entry, id=row.id, created_at=row.created_at)
            for entry, row in zip(entries, rows, strict=True)
        ]

    def _open_lot(self, user_id: int, posting: Posting, expires_at: datetime | None) -> None:
        category = CATEGORY_OF_KIND.get(posting.kind, LotCategory.ADMIN)
        self._connection.execute(
            sa.insert(lots).values(
                user_id=user_id,
                category=category.value,
                amount=posting.amount,
                remaining=posting.amount,
                reference_id=posting.reference_id,
                expires_at=expires_at,
            )
        )

    def _consume(self, user_id: int, amount: int, first: int | None) -> None:
        """Draw `amount` from the user's lots: from `first` if given, else from the first
        in consumption order if it covers it, else by plan."""
        if first is None:
            params = {"u": user_id, "take": amount}
            if self._connection.execute(q.take_from_first_lot(), params).rowcount == 1:
                return
        open_lots = [lot_from_row(r) for r in self._all_params(q.open_lots(), {"u": user_id})]
        chosen = [lot for lot in open_lots if lot.id == first]
        plan = plan_consumption(chosen, min(amount, chosen[0].remaining)) if chosen else []
        rest = amount - sum(take for _, take in plan)
        if rest:
            plan += plan_consumption([lot for lot in open_lots if lot.id != first], rest)
        for lot, take in plan:
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


def _movement(user_id: int, postings: Sequence[Posting], release: int) -> dict[str, int]:
    """The bind values of the wallet UPDATE that applies these postings and frees `release`."""
    return {
        "u": user_id,
        "delta": sum(posting.delta for posting in postings),
        "freed": release,
        "spent": sum(
            posting.amount
            for posting in postings
            if posting.type is EntryType.DEBIT and posting.kind in SPENDING
        ),
        "bought": sum(posting.amount for posting in postings if posting.kind is EntryKind.PURCHASE),
    }


def _entries(user_id: int, postings: Sequence[Posting], *, balance: int) -> list[LedgerEntry]:
    """The postings' entries, each with the balance before and after it in turn, starting
    from `balance`."""
    entries = []
    for posting in postings:
        before, balance = balance, balance + posting.delta
        entries.append(
            LedgerEntry(
                user_id=user_id,
                type=posting.type,
                kind=posting.kind,
                amount=posting.amount,
                balance_before=before,
                balance_after=balance,
                reason=posting.reason,
                source=posting.source,
                reference_id=posting.reference_id,
                fingerprint=posting.fingerprint(),
                links=posting.links,
            )
        )
    return entries
