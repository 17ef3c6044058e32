"""Credit holds in SQL; settling is a guarded UPDATE on the pending status."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

import sqlalchemy as sa

from genmedia.adapters.sql.repositories import wallet_sql as q
from genmedia.adapters.sql.repositories.base import SqlRepository, unique_or_already_exists
from genmedia.adapters.sql.repositories.unnest import arrays, as_arrays, insert_all
from genmedia.adapters.sql.repositories.wallet_rows import hold_from_row
from genmedia.adapters.sql.tables import credit_holds as t
from genmedia.application.ports import HoldRepository
from genmedia.domain.errors import NotFound
from genmedia.domain.holds import CreditHold, HoldStatus


class SqlHoldRepository(SqlRepository, HoldRepository):
    """Holds, one per job."""

    def add(self, hold: CreditHold) -> CreditHold:
        """Insert a pending hold; AlreadyExists if the job already has one."""
        if hold.job_id is None:  # only a job's hold has a unique key that a replay can hit
            hold.id = self._connection.execute(q.insert_hold(), _values(hold)).scalar_one()
            return hold
        with unique_or_already_exists(self._connection, "hold", hold.job_id):
            hold.id = self._connection.execute(q.insert_hold(), _values(hold)).scalar_one()
        return hold

    def add_all(self, holds: Sequence[CreditHold]) -> None:
        """Insert the holds in one statement; AlreadyExists if a job of theirs already has
        one, after which the transaction can only be rolled back (no savepoint is spent on
        the rare replay: a request's holds are inserted with its fresh jobs)."""
        if not holds:
            return
        values = [_values(hold) for hold in holds]
        keys = [hold.job_id for hold in holds]
        with unique_or_already_exists(self._connection, "hold", keys, savepoint=False):
            if as_arrays(self._connection, values):
                rows = insert_all(self._connection, t, values)
            else:
                rows = list(self._connection.execute(q.insert_hold(), values).all())
        for hold, row in zip(holds, rows, strict=True):
            hold.id = row.id

    def get(self, hold_id: int) -> CreditHold:
        """The hold with this id."""
        row = self._connection.execute(q.hold_by_id(), {"hold": hold_id}).one_or_none()
        if row is None:
            raise NotFound("hold", hold_id)
        return hold_from_row(row)

    def for_job(self, job_id: int) -> CreditHold | None:
        """The job's hold, if any."""
        row = self._one(sa.select(t).where(t.c.job_id == job_id))
        return hold_from_row(row) if row else None

    def lock_for_jobs(self, job_ids: Collection[int]) -> dict[int, CreditHold]:
        """The holds of these jobs, by job id, locked in id order."""
        if not job_ids:
            return {}
        rows = self._connection.execute(q.holds_of_jobs(), {"jobs": sorted(set(job_ids))})
        return {row.job_id: hold_from_row(row) for row in rows}

    def settle(self, hold: CreditHold) -> bool:
        """Write the settled hold only if it is still pending."""
        return self.settle_all([hold]) == 1

    def settle_all(self, holds: Sequence[CreditHold]) -> int:
        """Write the settled holds that are still pending; how many."""
        if not holds:
            return 0
        rows = [
            {
                "hold": hold.id,
                "status": hold.status.value,
                "captured": hold.captured,
                "settled_at": hold.settled_at,
            }
            for hold in holds
        ]
        if as_arrays(self._connection, rows):
            params = arrays(rows, list(rows[0]))
            return int(self._connection.execute(q.settle_holds_unnested(), params).rowcount)
        return int(self._connection.execute(q.settle_hold(), rows).rowcount)

    def due(self, now: datetime, limit: int) -> list[CreditHold]:
        """Pending holds past their expiry, oldest expiry first."""
        rows = self._all(
            sa.select(t)
            .where(t.c.status == HoldStatus.PENDING.value, t.c.expires_at < now)
            .order_by(t.c.expires_at, t.c.id)
            .limit(limit)
        )
        return [hold_from_row(r) for r in rows]


def _values(hold: CreditHold) -> dict[str, object]:
    return {
        "user_id": hold.user_id,
        "request_id": hold.request_id,
        "job_id": hold.job_id,
        "amount": hold.amount,
        "expires_at": hold.expires_at,
    }
