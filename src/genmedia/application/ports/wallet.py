"""Ports of the wallet: wallets with their ledger and lots, and credit holds."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from datetime import datetime

from genmedia.domain.holds import CreditHold
from genmedia.domain.lots import CreditLot
from genmedia.domain.wallet import LedgerEntry, Posting, Wallet


class WalletRepository(abc.ABC):
    """Wallets and their ledger; every movement is one guarded statement on the wallet row."""

    @abc.abstractmethod
    def add(self, wallet: Wallet) -> Wallet:
        """Open an empty wallet for a user; AlreadyExists if the user has one."""

    @abc.abstractmethod
    def get(self, user_id: int) -> Wallet:
        """The user's wallet as it is now, or NotFound."""

    @abc.abstractmethod
    def reserve(self, user_id: int, amount: int) -> None:
        """Hold `amount` (`Movement.reserve`); InsufficientCredits unless available covers it."""

    @abc.abstractmethod
    def release(self, user_id: int, amount: int) -> None:
        """Return `amount` held credits to the available balance (`Movement.release`)."""

    @abc.abstractmethod
    def post(
        self,
        user_id: int,
        posting: Posting,
        *,
        from_lot: int | None = None,
        lot_expires_at: datetime | None = None,
    ) -> LedgerEntry:
        """Apply a posting once (`Movement.post`) and append its ledger entry.

        A replay of the same reference and content returns the first entry; the same
        reference with other content raises IdempotencyConflict. Credits open a lot
        (expiring at `lot_expires_at`); debits consume lots in order, or first from
        `from_lot` (a claw-back of that lot).
        """

    @abc.abstractmethod
    def post_all(
        self, user_id: int, postings: Sequence[Posting], *, release: int = 0
    ) -> list[LedgerEntry]:
        """Apply debits and free `release` held credits as one movement of the wallet
        (`Movement.post`), each debit with its own ledger entry; InsufficientCredits refuses
        them all. For debits whose references the caller's own guarded statements in this
        transaction already made unique (a capture): a repeated reference is not a replay
        but fails the transaction."""

    @abc.abstractmethod
    def entries(
        self, user_id: int, limit: int = 20, before_id: int | None = None
    ) -> list[LedgerEntry]:
        """The user's ledger entries, newest first."""

    @abc.abstractmethod
    def entry(self, reference_id: str) -> LedgerEntry | None:
        """The entry applied under this reference, if any."""

    @abc.abstractmethod
    def lot(self, reference_id: str) -> CreditLot | None:
        """The lot opened by the credit with this reference, if any."""

    @abc.abstractmethod
    def expiring_lots(self, now: datetime, limit: int) -> list[CreditLot]:
        """Lots past their expiry that still have credits left."""

    @abc.abstractmethod
    def now(self) -> datetime:
        """The database's current time, which hold and lot expiry are measured in."""


class HoldRepository(abc.ABC):
    """Credit holds, one per job."""

    @abc.abstractmethod
    def add(self, hold: CreditHold) -> CreditHold:
        """Insert a pending hold; AlreadyExists if the job has one."""

    @abc.abstractmethod
    def add_all(self, holds: Sequence[CreditHold]) -> None:
        """Insert jobs' pending holds together, giving each its id; AlreadyExists (and none
        inserted) if any of the jobs has one, after which the unit of work must roll back."""

    @abc.abstractmethod
    def get(self, hold_id: int) -> CreditHold:
        """The hold with this id, or NotFound."""

    @abc.abstractmethod
    def for_job(self, job_id: int) -> CreditHold | None:
        """The job's hold, if any."""

    @abc.abstractmethod
    def capture_for_jobs(self, costs: Mapping[int, int], now: datetime) -> dict[int, CreditHold]:
        """`CreditHold.capture` the pending holds of these jobs (job id → its cost) as one
        guarded write that locks them in id order; the holds captured, by job id. A job
        whose hold is missing or settled already is left out."""

    @abc.abstractmethod
    def settle(self, hold: CreditHold) -> bool:
        """Write a settled hold if it is still pending in the database; False if it was not."""

    @abc.abstractmethod
    def due(self, now: datetime, limit: int) -> list[CreditHold]:
        """Pending holds whose expiry has passed."""
