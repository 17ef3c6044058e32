"""Fakes of the wallet ports: wallets with their ledger and lots, and holds."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import datetime

import attrs

from genmedia.application.ports import (
    HoldRepository,
    WalletRepository,
)
from genmedia.domain.errors import AlreadyExists, NotFound
from genmedia.domain.holds import CreditHold, HoldStatus
from genmedia.domain.lots import CreditLot, plan_consumption
from genmedia.domain.wallet import EntryType, LedgerEntry, Movement, Posting, Wallet
from tests.fakes.base import Repo


class FakeWalletRepository(Repo, WalletRepository):
    """Wallets driven by the domain's Wallet and Movement; the single-threaded fake needs no
    row guards."""

    def add(self, wallet: Wallet) -> Wallet:
        if wallet.user_id in self.db.wallets:
            raise AlreadyExists("wallet", wallet.user_id)
        self.db.wallets[wallet.user_id] = wallet
        return wallet

    def get(self, user_id: int) -> Wallet:
        if user_id not in self.db.wallets:
            raise NotFound("wallet", user_id)
        return self.db.wallets[user_id]

    def reserve(self, user_id: int, amount: int) -> None:
        self.get(user_id).apply(Movement.reserve(amount))

    def release(self, user_id: int, amount: int) -> None:
        self.get(user_id).apply(Movement.release(amount))

    def post(
        self,
        user_id: int,
        posting: Posting,
        *,
        from_lot: int | None = None,
        lot_expires_at: datetime | None = None,
    ) -> LedgerEntry:
        first = self.entry(posting.reference_id)
        if first is not None:
            return first.replayed_by(user_id, posting)
        entry = self._apply(user_id, Movement.post([posting]))[0]
        if posting.type is EntryType.CREDIT:
            lot = CreditLot.opened_by(user_id, posting, lot_expires_at)
            lot.stored_as(self._new_id(), created_at=self.db.now)
            self.db.lots[lot.id or 0] = lot
        else:
            self._consume(user_id, posting.amount, from_lot)
        return entry

    def post_all(
        self, user_id: int, postings: Sequence[Posting], *, release: int = 0
    ) -> list[LedgerEntry]:
        if any(posting.type is not EntryType.DEBIT for posting in postings):
            raise ValueError("post_all() takes debits only")
        taken = [p.reference_id for p in postings if self.entry(p.reference_id) is not None]
        if taken:  # the unique index fails the transaction: the caller ruled a replay out
            raise AlreadyExists("ledger entry", taken)
        movement = Movement.post(postings, release=release)
        if not postings:
            if release:
                self.get(user_id).apply(movement)
            return []
        entries = self._apply(user_id, movement)
        self._consume(user_id, -movement.delta, None)
        return entries

    def _apply(self, user_id: int, movement: Movement) -> list[LedgerEntry]:
        entries = [
            attrs.evolve(entry, id=self._new_id(), created_at=self.db.now)
            for entry in self.get(user_id).apply(movement)
        ]
        self.db.entries.extend(entries)
        return entries

    def _consume(self, user_id: int, amount: int, first: int | None) -> None:
        mine = [lot for lot in self.db.lots.values() if lot.user_id == user_id]
        for lot, take in plan_consumption(mine, amount, first=first):
            lot.remaining -= take  # what the SQL store's guarded UPDATE of the lot does

    def entries(
        self, user_id: int, limit: int = 20, before_id: int | None = None
    ) -> list[LedgerEntry]:
        mine = [
            e
            for e in self.db.entries
            if e.user_id == user_id and (before_id is None or (e.id or 0) < before_id)
        ]
        return sorted(mine, key=lambda e: -(e.id or 0))[:limit]

    def entry(self, reference_id: str) -> LedgerEntry | None:
        return next((e for e in self.db.entries if e.reference_id == reference_id), None)

    def lot(self, reference_id: str) -> CreditLot | None:
        return next(
            (lot for lot in self.db.lots.values() if lot.reference_id == reference_id), None
        )

    def expiring_lots(self, now: datetime, limit: int) -> list[CreditLot]:
        due = [
            lot
            for lot in self.db.lots.values()
            if lot.remaining and lot.expires_at and lot.expires_at < now
        ]
        return due[:limit]

    def now(self) -> datetime:
        return self.db.now


class FakeHoldRepository(Repo, HoldRepository):
    def add(self, hold: CreditHold) -> CreditHold:
        if hold.job_id is not None and self.for_job(hold.job_id):
            raise AlreadyExists("hold", hold.job_id)
        hold.stored_as(self._new_id())
        self.db.holds[hold.id] = copy.deepcopy(hold)
        return hold

    def add_all(self, holds: Sequence[CreditHold]) -> None:
        taken = [h.job_id for h in holds if h.job_id is not None and self.for_job(h.job_id)]
        if taken:
            raise AlreadyExists("hold", taken)
        for hold in holds:
            self.add(hold)

    def get(self, hold_id: int) -> CreditHold:
        if hold_id not in self.db.holds:
            raise NotFound("hold", hold_id)
        return copy.deepcopy(self.db.holds[hold_id])

    def for_job(self, job_id: int) -> CreditHold | None:
        found = next((h for h in self.db.holds.values() if h.job_id == job_id), None)
        return copy.deepcopy(found)

    def capture_for_jobs(self, costs: Mapping[int, int], now: datetime) -> dict[int, CreditHold]:
        captured = {}
        for job_id, cost in sorted(costs.items()):
            hold = self.for_job(job_id)
            if hold is None or hold.status is not HoldStatus.PENDING:
                continue
            hold.capture(cost, now)
            self.settle(hold)
            captured[job_id] = hold
        return captured

    def settle(self, hold: CreditHold) -> bool:
        stored = self.db.holds[hold.id or 0]
        if stored.status is not HoldStatus.PENDING:
            return False
        self.db.holds[hold.id or 0] = copy.deepcopy(hold)
        return True

    def due(self, now: datetime, limit: int) -> list[CreditHold]:
        pending = [
            h
            for h in self.db.holds.values()
            if h.status is HoldStatus.PENDING and h.expires_at < now
        ]
        return [copy.deepcopy(h) for h in pending[:limit]]
