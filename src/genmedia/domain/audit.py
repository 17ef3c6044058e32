"""The audit log of admin writes: who did what to which object, its state before and after."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.errors import InvalidValue

MASK = "***"
MAX_NAME = 64


def _name(field: str) -> Any:
    def check(instance: Any, attribute: Any, value: str) -> None:
        if not value or len(value) > MAX_NAME:
            raise InvalidValue(field, f"must be 1 to {MAX_NAME} characters")

    return check


@attrs.frozen(kw_only=True)
class AuditEntry:
    """One admin write: `actor_id` did `action` to `entity` `entity_id` at `at`.

    `actor_id` is None once that user is gone. `before` is None for a creation, `after`
    None for a deletion; secrets in either are already masked (see `masked`).
    """

    actor_id: int | None
    action: str = attrs.field(validator=_name("action"))
    entity: str = attrs.field(validator=_name("entity"))
    entity_id: str = attrs.field(validator=_name("entity_id"))
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    at: datetime
    id: int | None = None

    @property
    def changed(self) -> list[str]:
        """The names of the fields whose values differ between before and after, sorted."""
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def masked(state: Mapping[str, Any], secrets: frozenset[str]) -> dict[str, Any]:
    """The state with the value of every field named in `secrets` replaced by MASK."""
    return {k: (MASK if k in secrets and v is not None else v) for k, v in state.items()}
