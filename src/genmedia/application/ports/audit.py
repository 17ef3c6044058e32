"""The audit log's port: admin writes, recorded in the transaction that makes them."""

from __future__ import annotations

import abc

from genmedia.application.pages import Key
from genmedia.domain.audit import AuditEntry


class AuditLog(abc.ABC):
    """The recorded admin writes."""

    @abc.abstractmethod
    def record(self, entry: AuditEntry) -> None:
        """Keep the entry, in this unit of work's transaction."""

    @abc.abstractmethod
    def page(self, after: Key | None, limit: int) -> list[AuditEntry]:
        """Up to `limit` entries, newest first, after the key `(id,)` of the last one shown."""
