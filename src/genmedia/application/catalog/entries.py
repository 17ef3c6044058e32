"""Catalog entities as document records and back: ids become natural keys on the way out,
natural keys become ids on the way in."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from genmedia.application.catalog.document_fields import Problems, canonical, problem
from genmedia.application.catalog.document_sections import SECTIONS, Entries, Entry, Section
from genmedia.application.ports import CatalogContents, CatalogItem
from genmedia.domain.catalog import Feature, MediaCategory, Tag
from genmedia.domain.errors import DomainError
from genmedia.domain.provider_model import ModelCategory, ProviderModel
from genmedia.domain.purchases import CreditPack
from genmedia.domain.settings import Setting, SettingType
from genmedia.domain.template import ImageSlot, Option, OptionGroup, Template

Ids = Mapping[str, Mapping[str, int]]  # section → natural key → id
Document = dict[str, Entries]


def _plain(value: Any) -> Any:
    """A domain value as JSON: enums by value, times in UTC, parts as objects without ids."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if attrs.has(type(value)):
        parts = attrs.asdict(value, recurse=False)
        parts.pop("id", None)
        return {name: _plain(part) for name, part in parts.items()}
    if isinstance(value, list | tuple):
        items = [_plain(item) for item in value]
        if value and all(isinstance(i, OptionGroup | Option) for i in value):
            items.sort(key=lambda i: i["sort_order"])  # stably, as the document is read
        return items
    return canonical(value)


def _field(item: object, name: str) -> Any:
    """A field of an entity as a record holds it (a setting's value as its type)."""
    if isinstance(item, Setting) and name == "value":
        return canonical(item.typed_value)
    return _plain(getattr(item, name))


def _entry(section: Section, item: object, keys: Mapping[str, Mapping[int, str]]) -> Entry:
    entry: Entry = {}
    for field in section.fields:
        if field.name in section.references:
            target, id_field = section.references[field.name]
            entry[field.name] = keys[target].get(getattr(item, id_field))
        else:
            entry[field.name] = _field(item, field.name)
    return entry


def items_of(contents: CatalogContents) -> dict[str, list[CatalogItem]]:
    """The contents by section name."""
    return {section.name: list(getattr(contents, section.name)) for section in SECTIONS}


def document_of(contents: CatalogContents) -> Document:
    """The records of everything the catalog holds, by section and natural key."""
    items = items_of(contents)
    keys: dict[str, dict[int, str]] = {
        s.name: {i.id: getattr(i, s.key) for i in items[s.name] if i.id is not None}
        for s in SECTIONS
    }
    return {
        s.name: {getattr(i, s.key): _entry(s, i, keys) for i in items[s.name]} for s in SECTIONS
    }


def _referenced(section: Section, entry: Entry, ids: Ids) -> dict[str, Any]:
    values = {k: v for k, v in entry.items() if k not in section.references}
    for field, (target, id_field) in section.references.items():
        named = entry.get(field)
        values[id_field] = None if named is None else ids[target][named]
    return values


def _template_parts(values: dict[str, Any]) -> dict[str, Any]:
    values["image_slots"] = [ImageSlot(**slot) for slot in values["image_slots"]]
    values["option_groups"] = [
        OptionGroup(**{**group, "options": [Option(**o) for o in group["options"]]})
        for group in values["option_groups"]
    ]
    for name in ("trend_start_date", "trend_end_date"):
        values[name] = None if values[name] is None else datetime.fromisoformat(values[name])
    return values


def _setting_parts(values: dict[str, Any]) -> dict[str, Any]:
    """A JSON setting's value as its text, so that a JSON string stays a string."""
    if values["type"] == SettingType.JSON.value and values["value"] is not None:
        values["value"] = json.dumps(values["value"])
    return values


_CLASSES: dict[str, tuple[type[Any], Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "provider_models": (ProviderModel, lambda v: {**v, "category": ModelCategory(v["category"])}),
    "features": (Feature, lambda v: {**v, "category": MediaCategory(v["category"])}),
    "tags": (Tag, lambda v: v),
    "credit_packs": (CreditPack, lambda v: v),
    "templates": (Template, _template_parts),
    "settings": (Setting, _setting_parts),
}
_DATED_ON_CREATION = frozenset({"features", "templates"})


def build(
    section: Section,
    entry: Entry,
    ids: Ids,
    *,
    previous: CatalogItem | None = None,
    now: datetime | None = None,
) -> CatalogItem:
    """The entity a record describes, its references as ids: `previous` changed to match it
    (keeping its id, counts and times), or a new one, dated `now` where the kind is dated."""
    cls, parts = _CLASSES[section.name]
    values = parts(_referenced(section, entry, ids))
    if previous is not None:
        item: CatalogItem = attrs.evolve(previous, **values)
        return item
    if section.name in _DATED_ON_CREATION:
        values["created_at"] = now
    new: CatalogItem = cls(**values)
    return new


class _AnyId(dict[str, int]):
    def __missing__(self, key: str) -> int:
        return 0


_ANY_IDS: Ids = {section.name: _AnyId() for section in SECTIONS}


def normalised(section: Section, entry: Entry, path: str, problems: Problems) -> Entry:
    """A well-typed record as the domain stores it (a currency in upper case, …), or, with
    what the domain refuses in it added to `problems` by path, the record as it was."""
    try:
        item = build(section, entry, _ANY_IDS)
    except DomainError as error:
        for found in error.field_errors():
            problem(problems, f"{path}.{found.field}", found.message)
        if not error.field_errors():
            problem(problems, path, str(error))
        return entry
    return {
        name: value if name in section.references else _field(item, name)
        for name, value in entry.items()
    }
