"""Templates, their option groups and image slots (SPEC CAT-2, CAT-3, GEN-3)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.errors import FieldError, InvalidValue, UnknownOption
from genmedia.domain.revision import SoftDeleted, revise
from genmedia.domain.stored import Stored
from genmedia.domain.template_parts import ImageSlot, Option, OptionGroup, check_attachments

__all__ = ["ImageSlot", "Option", "OptionGroup", "Selection", "Template", "check_attachments"]

Selection = dict[str, str | list[str]]
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _groups(items: Iterable[OptionGroup]) -> tuple[OptionGroup, ...]:
    return tuple(items)


def _slots(items: Iterable[ImageSlot]) -> tuple[ImageSlot, ...]:
    return tuple(items)


def _named(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value or not value.strip():
        raise InvalidValue(attribute.name, "must not be empty")


def _slug(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not _SLUG.fullmatch(value) or value.isdigit():
        raise InvalidValue(
            "slug", "must be letters, digits, '.', '_' and '-', not only digits, not from a sign"
        )


@attrs.define(slots=False, eq=False, kw_only=True)
class Template(SoftDeleted, Stored):
    """A pre-built style for a feature: base prompt, options, price and inputs."""

    GENERATED = frozenset({"created_at", "option_groups"})
    EDITABLE = frozenset(
        {
            "feature_id", "name", "slug", "description", "template_prompt", "template_data",
            "preview_url", "price", "allow_user_custom_prompt", "capabilities", "image_slots",
            "system_images", "option_groups", "provider_model_id", "legacy_provider_model_id",
            "tag_id", "tags", "is_trending", "trend_start_date", "trend_end_date", "is_active",
            "order_index",
        }
    )  # fmt: skip
    id: int | None = None
    feature_id: int
    name: str = attrs.field(validator=_named)
    slug: str = attrs.field(validator=_slug)
    description: str | None = None
    template_prompt: str | None = None
    template_data: dict[str, Any] = attrs.field(factory=dict)
    preview_url: str | None = None
    price: int = 0
    allow_user_custom_prompt: bool = True
    capabilities: dict[str, Any] = attrs.field(factory=dict)
    image_slots: tuple[ImageSlot, ...] = attrs.field(factory=tuple, converter=_slots)
    system_images: list[str] = attrs.field(factory=list)
    option_groups: tuple[OptionGroup, ...] = attrs.field(factory=tuple, converter=_groups)
    provider_model_id: int | None = None
    legacy_provider_model_id: int | None = None
    tag_id: int | None = None
    tags: list[str] = attrs.field(factory=list)
    is_trending: bool = False
    trend_score: int = 0
    usage_count: int = 0
    view_count: int = 0
    trend_start_date: datetime | None = None
    trend_end_date: datetime | None = None
    is_active: bool = True
    order_index: int = 0
    created_at: datetime | None = None
    deleted_at: datetime | None = None

    def __attrs_post_init__(self) -> None:
        if self.price < 0:
            raise InvalidValue("price", "must not be negative")
        names = [g.group_name for g in self.option_groups]
        if len(set(names)) != len(names):
            raise InvalidValue("option_groups", "group names must be unique")

    def revise(self, **changes: Any) -> None:
        """An operator's edit of some fields (`option_groups` replaces the whole set); a
        deleted template must be restored first."""
        self._check_live("edited")
        revise(self, self.EDITABLE, changes)

    def rename(self, name: str) -> None:
        """Give the template another display name."""
        self.revise(name=name)

    def reprice(self, price: int) -> None:
        """Charge another number of credits per output for this template."""
        self.revise(price=price)

    def replace_option_groups(self, groups: Iterable[OptionGroup]) -> None:
        """Offer this set of option groups instead of the current one."""
        self.revise(option_groups=tuple(groups))

    def deactivate(self) -> None:
        """Hide the template from the catalog and from new requests, keeping it."""
        self.revise(is_active=False)

    def activate(self) -> None:
        """Show the template again."""
        self.revise(is_active=True)

    @property
    def is_usable(self) -> bool:
        """Whether new requests may use this template."""
        return self.is_active and self.deleted_at is None

    def count_view(self) -> None:
        """One more view, as the store counts it (the store adds it to the stored count)."""
        self.view_count += 1

    def group(self, name: str) -> OptionGroup | None:
        """The option group with this name, if any."""
        return next((g for g in self.option_groups if g.group_name == name), None)

    def choose_options(self, selection: Selection) -> tuple[list[Option], list[FieldError]]:
        """Resolve a user's selection to options in group order, with every error found."""
        errors: list[FieldError] = [
            UnknownOption(f"selected_options.{name}", "unknown option group")
            for name in selection
            if self.group(name) is None
        ]
        chosen: list[Option] = []
        for group in sorted(self.option_groups, key=lambda g: g.sort_order):
            options, group_errors = group.choose(selection.get(group.group_name))
            chosen += sorted(options, key=lambda o: o.sort_order)
            errors += group_errors
        return chosen, errors

    def resolved_selection(self, selection: Selection) -> dict[str, str | list[str]]:
        """The selection with defaults filled in, as it is stored on the request."""
        resolved: dict[str, str | list[str]] = {}
        for group in self.option_groups:
            options, _ = group.choose(selection.get(group.group_name))
            if options:
                values = [o.value for o in options]
                resolved[group.group_name] = values if group.multiple else values[0]
        return resolved
