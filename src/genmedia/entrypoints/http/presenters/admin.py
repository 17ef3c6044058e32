"""Bodies of the admin routes (API.md, Admin) that are not about one capability."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.audit import AuditEntry


@attrs.frozen(kw_only=True)
class AuditEntryView:
    """One admin write: who did what to which object, its fields before and after."""

    id: int
    actor_id: int | None
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    changed: list[str]
    at: datetime


def audit_entry_view(entry: AuditEntry) -> AuditEntryView:
    """The entry as the API shows it."""
    return AuditEntryView(
        id=entry.id or 0,
        actor_id=entry.actor_id,
        action=entry.action,
        entity=entry.entity,
        entity_id=entry.entity_id,
        before=None if entry.before is None else dict(entry.before),
        after=None if entry.after is None else dict(entry.after),
        changed=entry.changed,
        at=entry.at,
    )
