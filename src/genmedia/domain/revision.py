"""An operator's edit of a catalog aggregate: some fields at once, checked as a new one's."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.errors import IllegalTransition, InvalidValue


def revise(aggregate: Any, editable: Iterable[str], changes: Mapping[str, Any]) -> None:
    """Set `changes` on `aggregate` if every field is `editable` and the result passes every
    rule a newly made one would (validators, invariants); else nothing changes."""
    allowed = frozenset(editable)
    for name in changes:
        if name not in allowed:
            raise InvalidValue(name, "cannot be changed")
    checked = attrs.evolve(aggregate, **changes)
    for name in changes:
        setattr(aggregate, name, getattr(checked, name))


class SoftDeleted:
    """An aggregate removed by stamping `deleted_at`, which can be restored."""

    deleted_at: datetime | None

    def _kind(self) -> str:
        return type(self).__name__.lower()

    def _check_live(self, act: str) -> None:
        if self.deleted_at is not None:
            raise IllegalTransition(self._kind(), "deleted", act)

    def delete(self, now: datetime) -> None:
        """Remove it from the catalog (a soft delete); a deleted one cannot be deleted again."""
        self._check_live("deleted")
        self.deleted_at = now

    def restore(self) -> None:
        """Bring a deleted one back as it was."""
        if self.deleted_at is None:
            raise IllegalTransition(self._kind(), "live", "restored")
        self.deleted_at = None
