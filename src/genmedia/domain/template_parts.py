"""The parts of a template: option groups and their options (SPEC CAT-3), image slots
(SPEC GEN-3)."""

from __future__ import annotations

from collections.abc import Iterable
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


def _options(items: Iterable[Option]) -> tuple[Option, ...]:
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
        if not self.group_name.strip() or not all(o.value.strip() for o in self.options):
            raise InvalidValue("option_groups.group_name", "names and values must not be empty")
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
