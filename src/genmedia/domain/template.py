"""Templates, their option groups and image slots (SPEC CAT-2, CAT-3, GEN-3)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.errors import (
    FieldError,
    InvalidAttachment,
    InvalidValue,
    MissingImageSlot,
    MissingRequiredOption,
    TooManyOptions,
    UnknownOption,
)
from genmedia.domain.stored import Stored

Selection = dict[str, str | list[str]]


def _options(items: Iterable[Option]) -> tuple[Option, ...]:
    return tuple(items)


def _groups(items: Iterable[OptionGroup]) -> tuple[OptionGroup, ...]:
    return tuple(items)


def _slots(items: Iterable[ImageSlot]) -> tuple[ImageSlot, ...]:
    return tuple(items)


@attrs.frozen(kw_only=True)
class Option:
    """One choice inside an option group, with the prompt fragment it adds."""

    value: str
    label: str
    prompt_fragment: str = ""
    params: dict[str, Any] = attrs.field(factory=dict)
    icon: str | None = None
    thumbnail: str | None = None
    sort_order: int = 0
    is_default: bool = False
    id: int | None = None


@attrs.frozen(kw_only=True)
class OptionGroup:
    """A named set of options: single or multiple choice, optional or required."""

    group_name: str
    label: str
    options: tuple[Option, ...] = attrs.field(converter=_options)
    multiple: bool = False
    required: bool = False
    sort_order: int = 0

    def __attrs_post_init__(self) -> None:
        values = [o.value for o in self.options]
        if len(set(values)) != len(values):
            raise InvalidValue(f"option_groups.{self.group_name}", "option values must be unique")
        if not self.multiple and sum(o.is_default for o in self.options) > 1:
            raise InvalidValue(
                f"option_groups.{self.group_name}", "a single-choice group has one default"
            )

    def option(self, value: str) -> Option | None:
        """The option with this value, if the group has it."""
        return next((o for o in self.options if o.value == value), None)

    def choose(self, picked: str | list[str] | None) -> tuple[list[Option], list[FieldError]]:
        """The options a user's pick stands for, defaults when nothing was picked."""
        field = f"selected_options.{self.group_name}"
        if picked is None or picked == []:
            chosen = [o for o in self.options if o.is_default]
            if self.required and not chosen:
                return [], [MissingRequiredOption(field, "this option group is required")]
            return chosen, []
        values = [picked] if isinstance(picked, str) else list(picked)
        if not self.multiple and len(values) > 1:
            return [], [TooManyOptions(field, "only one value may be chosen")]
        errors: list[FieldError] = [
            UnknownOption(field, f"unknown value {v!r}") for v in values if self.option(v) is None
        ]
        chosen = [o for v in dict.fromkeys(values) if (o := self.option(v)) is not None]
        return chosen, errors


@attrs.frozen(kw_only=True)
class ImageSlot:
    """An input a user must or may attach, e.g. "a face photo, 1–5 images"."""

    name: str
    label: str = ""
    min: int = 1
    max: int = 1

    def __attrs_post_init__(self) -> None:
        if self.min < 0 or self.max < max(self.min, 1):
            raise InvalidValue(f"image_slots.{self.name}", "needs 0 ≤ min ≤ max and max ≥ 1")

    def check(self, count: int) -> list[FieldError]:
        """Errors for attaching `count` images to this slot."""
        field = f"media_ids.{self.name}"
        if count < self.min:
            return [MissingImageSlot(field, f"needs at least {self.min} image(s), got {count}")]
        if count > self.max:
            return [InvalidAttachment(field, f"takes at most {self.max} image(s), got {count}")]
        return []


def check_attachments(
    slots: tuple[ImageSlot, ...], attached: dict[str, list[int]]
) -> list[FieldError]:
    """Errors for attachments that do not fit the slots."""
    names = {s.name for s in slots}
    errors: list[FieldError] = [
        InvalidAttachment(f"media_ids.{name}", "no such image slot")
        for name in attached
        if name not in names
    ]
    for slot in slots:
        errors += slot.check(len(attached.get(slot.name, [])))
    return errors


@attrs.define(slots=False, eq=False, kw_only=True)
class Template(Stored):
    """A pre-built style for a feature: base prompt, options, price and inputs."""

    GENERATED = frozenset({"created_at", "option_groups"})
    id: int | None = None
    feature_id: int
    name: str
    slug: str
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
