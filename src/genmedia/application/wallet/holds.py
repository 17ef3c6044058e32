"""Hold use cases for any paid work: place a hold, capture it, release it (SPEC WAL-2)."""

from __future__ import annotations

from datetime import timedelta

import attrs

from genmedia.application.ports import UnitOfWork
from genmedia.domain import postings
from genmedia.domain.errors import AlreadyUsed
from genmedia.domain.holds import CreditHold, HoldStatus
from genmedia.domain.wallet import EntryKind, LedgerEntry


@attrs.frozen(kw_only=True)
class PlaceHold:
    """Reserve credits for work about to run."""

    user_id: int
    amount: int
    ttl: timedelta
    request_id: int | None = None
    job_id: int | None = None


@attrs.frozen(kw_only=True)
class CaptureHold:
    """Charge up to the held amount for finished work; the rest returns to the user."""

    hold_id: int
    amount: int
    kind: EntryKind = EntryKind.GENERATION
    reason: str = ""


@attrs.frozen
class Captured:
    """A capture that settled its hold, with the charge's ledger entry (None if it was 0)."""

    entry: LedgerEntry | None


def settle_release(uow: UnitOfWork, hold: CreditHold) -> bool:
    """Release a pending hold inside the current transaction; False if it was settled already."""
    hold.release(uow.wallets.now())
    if not uow.holds.settle(hold):
        return False
    uow.wallets.release(hold.user_id, hold.amount)
    return True


def place_hold(cmd: PlaceHold, *, uow: UnitOfWork) -> CreditHold:
    """Hold credits in one guarded statement; InsufficientCredits if they are not available."""
    with uow:
        hold = CreditHold(
            user_id=cmd.user_id,
            request_id=cmd.request_id,
            job_id=cmd.job_id,
            amount=cmd.amount,
            expires_at=uow.wallets.now() + cmd.ttl,
        )
        uow.wallets.reserve(cmd.user_id, cmd.amount)
        uow.holds.add(hold)
        uow.commit()
    return hold


def capture_hold(cmd: CaptureHold, *, uow: UnitOfWork) -> LedgerEntry | None:
    """Charge a hold once; replaying the capture returns the first charge and changes nothing.

    Raises AlreadyUsed if the hold was released or expired instead.
    """
    with uow:
        hold = uow.holds.get(cmd.hold_id)
        captured = _capture(uow, hold, cmd) if hold.status is HoldStatus.PENDING else None
        if captured is not None:
            uow.commit()
            return captured.entry
        return _first_capture(uow, cmd.hold_id)


def _capture(uow: UnitOfWork, hold: CreditHold, cmd: CaptureHold) -> Captured | None:
    """Capture a pending hold in this transaction; None if it was settled meanwhile. The
    charge and the release of the hold are one movement of the wallet."""
    hold.capture(cmd.amount, uow.wallets.now())
    if not uow.holds.settle(hold):
        return None
    charge = postings.hold_capture(hold, cmd.kind, hold.captured, cmd.reason)
    entries = uow.wallets.post_all(hold.user_id, [charge] if charge else [], release=hold.amount)
    return Captured(entries[0] if entries else None)


def _first_capture(uow: UnitOfWork, hold_id: int) -> LedgerEntry | None:
    """The charge of a hold captured before; AlreadyUsed if it was settled otherwise."""
    settled = uow.holds.get(hold_id)
    if settled.status is not HoldStatus.CAPTURED:
        raise AlreadyUsed(f"hold {hold_id} is {settled.status.value}")
    return uow.wallets.entry(postings.hold_capture_reference(hold_id))


def release_hold(hold_id: int, *, uow: UnitOfWork) -> bool:
    """Give a hold's credits back; False (and no change) if it was settled already."""
    with uow:
        hold = uow.holds.get(hold_id)
        if hold.status is not HoldStatus.PENDING or not settle_release(uow, hold):
            return False
        uow.commit()
    return True
