"""Catalog aggregates: features and tags (SPEC CAT-1, CAT-4)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.errors import InvalidValue
from genmedia.domain.stored import Stored


class MediaCategory(enum.StrEnum):
    """The kind of media a feature makes."""

    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"


def _non_empty(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value or not value.strip():
        raise InvalidValue(attribute.name, "must not be empty")


@attrs.define(slots=False, eq=False, kw_only=True)
class Feature(Stored):
    """What kind of thing a user can make, with its system prompt and properties."""

    id: int | None = None
    name: str = attrs.field(validator=_non_empty)
    category: MediaCategory = MediaCategory.IMAGE
    description: str | None = None
    system_prompt: str | None = None
    properties: dict[str, Any] = attrs.field(factory=dict)
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


@attrs.define(slots=False, eq=False, kw_only=True)
class Tag(Stored):
    """A label that groups templates in the catalog."""

    id: int | None = None
    name: str = attrs.field(validator=_non_empty)
    color_from: str | None = None
    color_to: str | None = None
    icon: str | None = None
    sort_order: int = 0
    is_active: bool = True
