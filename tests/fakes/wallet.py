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
from genmedia.domain.errors import (
    AlreadyExists,
    IdempotencyConflict,
    NotFound,
)
from genmedia.domain.holds import CreditHold, HoldStatus
from genmedia.domain.lots import CATEGORY_OF_KIND, CreditLot, LotCategory, plan_consumption
from genmedia.domain.wallet import EntryType, LedgerEntry, Posting, Wallet
from tests.fakes.base import Repo


class FakeWalletRepository(Repo, WalletRepository):
    """Wallets driven by the domain Wallet; the single-threaded fake needs no row guards."""

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
        self.get(user_id).reserve(amount)

    def release(self, user_id: int, amount: int) -> None:
        self.get(user_id).release(amount)

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
        first = self.entry(posting.reference_id)
        if first is not None:
            if first.fingerprint != posting.fingerprint() or first.user_id != user_id:
                raise IdempotencyConflict(posting.reference_id)
            return first
        entry = self.get(user_id).post(posting, release=release)
        entry = attrs.evolve(entry, id=self._new_id(), created_at=self.db.now)
        self.db.entries.append(entry)
        if posting.type is EntryType.CREDIT:
            lot_id = self._new_id()
            category = CATEGORY_OF_KIND.get(posting.kind, LotCategory.ADMIN)
            self.db.lots[lot_id] = CreditLot(
                id=lot_id, user_id=user_id, category=category, amount=posting.amount,
                remaining=posting.amount, reference_id=posting.reference_id,
                expires_at=lot_expires_at, created_at=self.db.now,
            )  # fmt: skip
        else:
            self._consume(user_id, posting.amount, from_lot)
        return entry

    def post_all(
        self, user_id: int, postings: Sequence[Posting], *, release: int = 0
    ) -> list[LedgerEntry]:
        if any(posting.type is not EntryType.DEBIT for posting in postings):
            raise ValueError("post_all() takes debits only")
        if not postings and release:
            self.release(user_id, release)
        return [
            self.post(user_id, posting, release=release if i == 0 else 0, replay_checked=True)
            for i, posting in enumerate(postings)
        ]

    def _consume(self, user_id: int, amount: int, first: int | None) -> None:
        mine = [lot for lot in self.db.lots.values() if lot.user_id == user_id]
        chosen = [lot for lot in mine if lot.id == first and lot.remaining]
        plan = plan_consumption(chosen, min(amount, chosen[0].remaining)) if chosen else []
        rest = amount - sum(take for _, take in plan)
        plan += plan_consumption([lot for lot in mine if lot.id != first], rest) if rest else []
        for lot, take in plan:
            lot.remaining -= take

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
        hold.id = self._new_id()
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
            hold.capture(min(cost, hold.amount), now)
            self.settle(hold)
            captured[job_id] = hold
        return captured

    def settle_all(self, holds: Sequence[CreditHold]) -> int:
        return sum(self.settle(hold) for hold in holds)

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
