"""What loading a catalog document changes: per kind, which natural keys are created, updated,
left unchanged, kept although absent from the document, or retired (issue #20 §5)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import attrs

Entry = Mapping[str, Any]


class Retirement(enum.Enum):
    """How a pruned catalog entity leaves the catalog."""

    SOFT_DELETE = "soft_delete"  # it gets a deleted_at and is no longer found
    DEACTIVATE = "deactivate"  # it stays, with is_active false
    KEEP = "keep"  # never retired: a prune keeps it as it is


@runtime_checkable
class SoftDeletable(Protocol):
    """A catalog entity with a soft delete."""

    deleted_at: datetime | None


@runtime_checkable
class Deactivatable(Protocol):
    """A catalog entity that can be switched off."""

    is_active: bool


@attrs.frozen(kw_only=True)
class KindChanges:
    """The natural keys of one kind, sorted, by what a load does to them."""

    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()

    @property
    def writes(self) -> bool:
        """Whether the load writes anything of this kind."""
        return bool(self.created or self.updated or self.retired)


def is_retired(entry: Entry, how: Retirement) -> bool:
    """Whether a stored entry is already out of the catalog (deactivated entries stay listed)."""
    return how is Retirement.DEACTIVATE and entry.get("is_active") is False


def changes(
    current: Mapping[str, Entry],
    wanted: Mapping[str, Entry],
    *,
    retirement: Retirement,
    prune: bool = False,
    only_missing: bool = False,
) -> KindChanges:
    """Compare stored entries with the document's, both by natural key.

    An entry equal to the stored one is unchanged; a different one is updated, unless
    `only_missing` (then it is kept as stored). A stored entry the document lacks is kept,
    or retired with `prune` (unless it is retired already, or its kind is never retired).
    """
    prune = prune and retirement is not Retirement.KEEP
    created = sorted(key for key in wanted if key not in current)
    differ = sorted(key for key in wanted if key in current and current[key] != wanted[key])
    same = sorted(key for key in wanted if key in current and current[key] == wanted[key])
    absent = sorted(key for key in current if key not in wanted)
    retired = [k for k in absent if prune and not is_retired(current[k], retirement)]
    unchanged = same + [k for k in absent if prune and k not in retired]
    kept = (differ if only_missing else []) + [k for k in absent if not prune]
    return KindChanges(
        created=tuple(created),
        updated=() if only_missing else tuple(differ),
        unchanged=tuple(sorted(unchanged)),
        kept=tuple(sorted(kept)),
        retired=tuple(retired),
    )


def retire(entity: object, how: Retirement, now: datetime) -> None:
    """Take an entity out of the catalog: soft-delete it at `now`, or deactivate it (an
    entity of a kind that is kept is left as it is)."""
    if how is Retirement.KEEP:
        return
    if how is Retirement.SOFT_DELETE and isinstance(entity, SoftDeletable):
        entity.deleted_at = now
    elif isinstance(entity, Deactivatable):
        entity.is_active = False
