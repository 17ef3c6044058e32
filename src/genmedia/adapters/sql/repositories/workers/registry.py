"""Worker heartbeats in SQL; the time is the database's."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from genmedia.adapters.sql.repositories.base import SqlRepository
from genmedia.adapters.sql.tables import workers
from genmedia.application.ports import WorkerRegistry

NOW = sa.func.now()


class SqlWorkerRegistry(SqlRepository, WorkerRegistry):
    """One row per worker process, upserted on every heartbeat."""

    def beat(self, worker_id: str, hostname: str, pid: int) -> None:
        """Insert the worker or refresh its heartbeat."""
        values = {"id": worker_id, "hostname": hostname, "pid": pid}
        insert = (
            postgresql.insert if self._connection.dialect.name == "postgresql" else sqlite.insert
        )
        statement = insert(workers).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[workers.c.id], set_={"heartbeat_at": NOW, "stopped_at": None}
        )
        self._connection.execute(statement)

    def stopped(self, worker_id: str) -> None:
        """Mark the worker stopped, so the rescuer need not wait for its heartbeat to age."""
        self._connection.execute(
            sa.update(workers).where(workers.c.id == worker_id).values(stopped_at=NOW)
        )

    def live(self, heartbeat_before: datetime) -> set[str]:
        """The workers not stopped whose heartbeat is not older than `heartbeat_before`."""
        query = sa.select(workers.c.id).where(live_workers(heartbeat_before))
        return set(self._connection.execute(query).scalars())


def live_workers(heartbeat_before: datetime | sa.BindParameter[datetime]) -> sa.ColumnElement[bool]:
    """The condition on `workers` rows of the workers alive at `heartbeat_before`."""
    return sa.and_(workers.c.stopped_at.is_(None), workers.c.heartbeat_at >= heartbeat_before)
