"""Credit holds: credits reserved for a job, settled exactly once (SPEC WAL-2)."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from genmedia.domain.errors import AlreadyUsed, InvalidValue
from genmedia.domain.stored import Stored


class HoldStatus(enum.StrEnum):
    """Where a hold is in its life; every status but pending is final."""

    PENDING = "pending"
    CAPTURED = "captured"
    RELEASED = "released"
    EXPIRED = "expired"


@attrs.define(slots=False, eq=False, kw_only=True)
class CreditHold(Stored):
    """Credits held for one job until it completes (capture) or does not (release, expiry)."""

    id: int | None = None
    user_id: int
    request_id: int | None = None
    job_id: int | None = None
    amount: int
    captured: int = 0
    status: HoldStatus = HoldStatus.PENDING
    expires_at: datetime
    created_at: datetime | None = None
    settled_at: datetime | None = None

    def _settle(self, status: HoldStatus, now: datetime) -> None:
        if self.status is not HoldStatus.PENDING:
            raise AlreadyUsed(f"hold {self.id} is already {self.status.value}")
        self.status = status
        self.settled_at = now

    def capture(self, cost: int, now: datetime) -> None:
        """Charge the work's cost, but never more than is held; the rest returns to the wallet."""
        if cost < 0:
            raise InvalidValue("amount", "a capture cannot take a negative amount")
        self._settle(HoldStatus.CAPTURED, now)
        self.captured = min(cost, self.amount)

    def release(self, now: datetime) -> None:
        """Give every held credit back: the work failed or was cancelled."""
        self._settle(HoldStatus.RELEASED, now)

    def expire(self, now: datetime) -> None:
        """Give the credits back because nothing settled the hold in time."""
        if now < self.expires_at:
            raise InvalidValue("expires_at", "the hold has not expired yet")
        self._settle(HoldStatus.EXPIRED, now)
