"""The audit log in SQL: one INSERT per admin write, pages read newest first by id."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository
from genmedia.adapters.sql.repositories.pages import keyset
from genmedia.adapters.sql.tables import audit_log
from genmedia.application.pages import Key
from genmedia.application.ports import AuditLog
from genmedia.domain.audit import AuditEntry

T = audit_log


def _entry(row: sa.Row[Any]) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        actor_id=row.actor_id,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        before=row.before,
        after=row.after,
        at=row.at,
    )


class SqlAuditLog(SqlRepository, AuditLog):
    """The recorded admin writes."""

    def record(self, entry: AuditEntry) -> None:
        """Insert the entry."""
        values = {
            "actor_id": entry.actor_id,
            "action": entry.action,
            "entity": entry.entity,
            "entity_id": entry.entity_id,
            "before": None if entry.before is None else dict(entry.before),
            "after": None if entry.after is None else dict(entry.after),
            "at": entry.at,
        }
        self._connection.execute(sa.insert(T).values(values))

    def page(self, after: Key | None, limit: int) -> list[AuditEntry]:
        """Up to `limit` entries, newest first, after the key `(id,)`."""
        query = keyset(sa.select(T), [(T.c.id, True)], after, limit)
        return [_entry(row) for row in self._all(query)]
