"""Wallet use cases: balances, the ledger, admin adjustments and the expiry sweepers."""

from __future__ import annotations

import attrs

from genmedia.application.pages import DEFAULT_LIMIT, Key, Page, check_window, page_of
from genmedia.application.ports import UnitOfWork
from genmedia.domain import postings
from genmedia.domain.purchases import as_shown
from genmedia.domain.wallet import LedgerEntry, Wallet

SWEEP_BATCH = 500


@attrs.frozen(kw_only=True)
class AdjustCredits:
    """An admin grants (positive amount) or deducts (negative amount) credits, with a reason."""

    user_id: int
    amount: int
    reason: str
    reference_id: str
    admin_id: int | None = None


def wallet_of(user_id: int, *, uow: UnitOfWork) -> Wallet:
    """The user's wallet: balance, held, available and lifetime totals."""
    with uow:
        return uow.wallets.get(user_id)


def ledger_of(
    user_id: int, *, uow: UnitOfWork, after: Key | None = None, limit: int = DEFAULT_LIMIT
) -> Page[LedgerEntry]:
    """The user's ledger entries, newest first, each with the status it shows now (a
    purchase whose payment was refunded since shows `refunded`)."""
    check_window(after, limit, 1)
    with uow:
        entries = uow.wallets.entries(user_id, limit + 1, after[0] if after else None)
        refunded = uow.payments.refunded({e.links.payment_id or 0 for e in entries} - {0})
    shown = [as_shown(entry, refunded) for entry in entries]
    return page_of(shown, limit, lambda e: (e.id or 0,))


def adjust_credits(cmd: AdjustCredits, *, uow: UnitOfWork) -> LedgerEntry:
    """Grant or deduct credits by hand; a deduction cannot take held or missing credits."""
    posting = postings.admin_adjustment(cmd.user_id, cmd.reference_id, cmd.amount, cmd.reason)
    with uow:
        entry = uow.wallets.post(cmd.user_id, posting)
        uow.commit()
    return entry


def expire_holds(*, uow: UnitOfWork, limit: int = SWEEP_BATCH) -> int:
    """Release holds nothing settled before their expiry (database time); how many."""
    released = 0
    with uow:
        now = uow.wallets.now()
        for hold in uow.holds.due(now, limit):
            hold.expire(now)
            if uow.holds.settle(hold):
                uow.wallets.release(hold.user_id, hold.amount)
                released += 1
        uow.commit()
    return released


def expire_lots(*, uow: UnitOfWork, limit: int = SWEEP_BATCH) -> int:
    """Take back what is left of expired lots, as far as it is not held; how many lots."""
    expired = 0
    with uow:
        for lot in uow.wallets.expiring_lots(uow.wallets.now(), limit):
            amount = lot.reclaimable(uow.wallets.get(lot.user_id).available)
            if amount:
                uow.wallets.post(lot.user_id, postings.lot_expiry(lot, amount), from_lot=lot.id)
                expired += 1
        uow.commit()
    return expired
