"""Catalog aggregates: features and tags (SPEC CAT-1, CAT-4)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.errors import InvalidValue
from genmedia.domain.revision import SoftDeleted, revise
from genmedia.domain.stored import Stored


class MediaCategory(enum.StrEnum):
    """The kind of media a feature makes."""

    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"


def _non_empty(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value or not value.strip():
        raise InvalidValue(attribute.name, "must not be empty")


def _priced(instance: object, attribute: attrs.Attribute[Any], value: dict[str, Any]) -> None:
    cost = value.get("cost_per_generation", 0)
    if isinstance(cost, bool) or not isinstance(cost, int) or cost < 0:
        raise InvalidValue("properties.cost_per_generation", "must be a whole number ≥ 0")


@attrs.define(slots=False, eq=False, kw_only=True)
class Feature(SoftDeleted, Stored):
    """What kind of thing a user can make, with its system prompt and properties."""

    EDITABLE = frozenset(
        {
            "name", "category", "description", "system_prompt", "properties",
            "provider_model_id", "legacy_provider_model_id", "preview_url", "icon_url",
            "is_active", "order_index",
        }
    )  # fmt: skip
    id: int | None = None
    name: str = attrs.field(validator=_non_empty)
    category: MediaCategory = attrs.field(default=MediaCategory.IMAGE, converter=MediaCategory)
    description: str | None = None
    system_prompt: str | None = None
    properties: dict[str, Any] = attrs.field(factory=dict, validator=_priced)
    provider_model_id: int | None = None
    # The model its jobs fall back to when the primary cannot run them (`domain.fallback`).
    legacy_provider_model_id: int | None = None
    preview_url: str | None = None
    icon_url: str | None = None
    is_active: bool = True
    order_index: int = 0
    created_at: datetime | None = None
    deleted_at: datetime | None = None

    @property
    def cost_per_generation(self) -> int:
        """Credits charged per output by this feature alone."""
        return int(self.properties.get("cost_per_generation", 0))

    @property
    def is_usable(self) -> bool:
        """Whether new requests may use this feature."""
        return self.is_active and self.deleted_at is None

    def revise(self, **changes: Any) -> None:
        """An operator's edit of some fields; a deleted feature must be restored first."""
        self._check_live("edited")
        revise(self, self.EDITABLE, changes)

    def rename(self, name: str) -> None:
        """Give the feature another name."""
        self.revise(name=name)

    def reprice(self, cost_per_generation: int) -> None:
        """Charge another number of credits per output for this feature."""
        self.revise(properties={**self.properties, "cost_per_generation": cost_per_generation})

    def deactivate(self) -> None:
        """Hide the feature from the catalog and from new requests, keeping it."""
        self.revise(is_active=False)

    def activate(self) -> None:
        """Show the feature again."""
        self.revise(is_active=True)


@attrs.define(slots=False, eq=False, kw_only=True)
class Tag(Stored):
    """A label that groups templates in the catalog."""

    EDITABLE = frozenset({"name", "color_from", "color_to", "icon", "sort_order", "is_active"})
    id: int | None = None
    name: str = attrs.field(validator=_non_empty)
    color_from: str | None = None
    color_to: str | None = None
    icon: str | None = None
    sort_order: int = 0
    is_active: bool = True

    def revise(self, **changes: Any) -> None:
        """An operator's edit of some fields."""
        revise(self, self.EDITABLE, changes)

    def rename(self, name: str) -> None:
        """Give the tag another name."""
        self.revise(name=name)

    def deactivate(self) -> None:
        """Hide the tag from the catalog, keeping it on its templates."""
        self.revise(is_active=False)
