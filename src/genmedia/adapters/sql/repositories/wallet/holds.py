"""Credit holds in SQL; settling is a guarded UPDATE on the pending status."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository, unique_or_already_exists
from genmedia.adapters.sql.repositories.unnest import arrays, as_arrays, insert_all, on_postgresql
from genmedia.adapters.sql.repositories.wallet import statements as q
from genmedia.adapters.sql.repositories.wallet.rows import hold_from_row
from genmedia.adapters.sql.tables import credit_holds as t
from genmedia.application.errors import StaleAggregate
from genmedia.application.ports import HoldRepository
from genmedia.domain.errors import NotFound
from genmedia.domain.holds import CreditHold, HoldStatus


class SqlHoldRepository(SqlRepository, HoldRepository):
    """Holds, one per job."""

    def add(self, hold: CreditHold) -> CreditHold:
        """Insert a pending hold; AlreadyExists if the job already has one."""
        if hold.job_id is None:  # only a job's hold has a unique key that a replay can hit
            hold.stored_as(self._connection.execute(q.insert_hold(), _values(hold)).scalar_one())
            return hold
        with unique_or_already_exists(self._connection, "hold", hold.job_id):
            hold.stored_as(self._connection.execute(q.insert_hold(), _values(hold)).scalar_one())
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
            hold.stored_as(row.id)

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

    def capture_for_jobs(self, costs: Mapping[int, int], now: datetime) -> dict[int, CreditHold]:
        """Capture the pending holds of these jobs: on PostgreSQL in one statement, which
        writes what `CreditHold.capture` would (tests/integration/contracts holds the two
        together); elsewhere by locking them, capturing in the domain and a guarded save."""
        if not costs:
            return {}
        jobs = sorted(costs)
        if on_postgresql(self._connection):
            params = {"c_job": jobs, "c_cost": [costs[job] for job in jobs], "now": now}
            rows = self._connection.execute(q.capture_holds(), params)
            return {row.job_id: hold_from_row(row) for row in rows}
        rows = self._connection.execute(q.holds_of_jobs(), {"jobs": jobs})
        pending = [hold_from_row(r) for r in rows if r.status == HoldStatus.PENDING.value]
        for hold in pending:
            hold.capture(costs[hold.job_id or 0], now)
        if self.settle_all(pending) != len(pending):
            raise StaleAggregate("a locked hold was settled by someone else")
        return {hold.job_id or 0: hold for hold in pending}

    def settle(self, hold: CreditHold) -> bool:
        """Write the settled hold only if it is still pending."""
        return self.settle_all([hold]) == 1

    def settle_all(self, holds: Sequence[CreditHold]) -> int:
        """Write the settled holds that are still pending; how many (for `settle` and the
        capture of several holds)."""
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
