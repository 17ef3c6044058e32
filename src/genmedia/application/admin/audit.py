"""Recording and reading the audit log of admin writes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from genmedia.application.pages import DEFAULT_LIMIT, Key, Page, check_window, page_of
from genmedia.application.ports import UnitOfWork
from genmedia.domain.audit import AuditEntry


def audit(
    uow: UnitOfWork,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: object,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    now: datetime,
) -> None:
    """Record an admin write in this unit of work (call it before `uow.commit()`)."""
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=before,
        after=after,
        at=now,
    )
    uow.audit.record(entry)


def list_audit(
    *, uow: UnitOfWork, after: Key | None = None, limit: int = DEFAULT_LIMIT
) -> Page[AuditEntry]:
    """The audit log, newest first."""
    check_window(after, limit, 1)
    with uow:
        uow.read_snapshot()
        rows = uow.audit.page(after, limit + 1)
    return page_of(rows, limit, lambda e: (e.id or 0,))
