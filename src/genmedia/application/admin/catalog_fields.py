"""The documents of the catalog's admin routes (API.md, Admin): each kind's fields, how a
document becomes the values of its aggregate, and what an audit entry records of one."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from genmedia.application.admin.documents import Field, Fields, choice, reference, text
from genmedia.application.ports import UnitOfWork
from genmedia.domain.catalog import MediaCategory
from genmedia.domain.errors import FieldError, InvalidValue, NotFound, raise_collected
from genmedia.domain.provider_model import ModelCategory
from genmedia.domain.template import ImageSlot, Option, OptionGroup

NAME, LONG_TEXT, URL = 128, 10_000, 2048
OBJECT = Field(type="object")
FLAG = Field(type="boolean")
WHOLE = Field(type="integer")

FEATURE: Fields = {
    "name": text(NAME, required=True),
    "category": choice(MediaCategory),
    "description": text(LONG_TEXT, nullable=True),
    "system_prompt": text(LONG_TEXT, nullable=True),
    "properties": OBJECT,
    "provider_model_id": reference(),
    "legacy_provider_model_id": reference(),
    "preview_url": text(URL, nullable=True),
    "icon_url": text(URL, nullable=True),
    "is_active": FLAG,
    "order_index": WHOLE,
}
TAG: Fields = {
    "name": text(64, required=True),
    "color_from": text(32, nullable=True),
    "color_to": text(32, nullable=True),
    "icon": text(URL, nullable=True),
    "sort_order": WHOLE,
    "is_active": FLAG,
}
PROVIDER_MODEL: Fields = {
    "provider": text(32, required=True),
    "model_slug": text(NAME, required=True),
    "label": text(NAME, required=True),
    "version": text(64, nullable=True),
    "endpoint": text(URL, nullable=True),
    "category": choice(ModelCategory),
    "capabilities": OBJECT,
    "param_schema": OBJECT,
    "limits": OBJECT,
    "cost_per_use": WHOLE,
    "is_default": FLAG,
    "is_active": FLAG,
}
OPTION: Fields = {
    "value": text(64, required=True),
    "label": text(NAME, required=True),
    "prompt_fragment": text(2000),
    "params": OBJECT,
    "icon": text(URL, nullable=True),
    "thumbnail": text(URL, nullable=True),
    "sort_order": WHOLE,
    "is_default": FLAG,
}
OPTION_GROUP: Fields = {
    "group_name": text(64, required=True),
    "label": text(NAME, required=True),
    "multiple": FLAG,
    "required": FLAG,
    "sort_order": WHOLE,
    "options": Field(type="array", items=Field(type="object", fields=OPTION)),
}
IMAGE_SLOT: Fields = {
    "name": text(64, required=True),
    "label": text(NAME),
    "min": Field(type="integer", minimum=0, maximum=100),
    "max": Field(type="integer", minimum=0, maximum=100),
}
TEMPLATE: Fields = {
    "feature_id": reference(required=True, nullable=False),
    "name": text(NAME, required=True),
    "slug": text(NAME, required=True),
    "description": text(LONG_TEXT, nullable=True),
    "template_prompt": text(LONG_TEXT, nullable=True),
    "template_data": OBJECT,
    "preview_url": text(URL, nullable=True),
    "price": WHOLE,
    "allow_user_custom_prompt": FLAG,
    "capabilities": OBJECT,
    "image_slots": Field(type="array", items=Field(type="object", fields=IMAGE_SLOT), max_items=20),
    "system_images": Field(type="array", items=text(URL), max_items=20),
    "option_groups": Field(type="array", items=Field(type="object", fields=OPTION_GROUP)),
    "provider_model_id": reference(),
    "legacy_provider_model_id": reference(),
    "tag_id": reference(),
    "tags": Field(type="array", items=text(64), max_items=50),
    "is_trending": FLAG,
    "trend_start_date": Field(type="datetime", nullable=True),
    "trend_end_date": Field(type="datetime", nullable=True),
    "is_active": FLAG,
    "order_index": WHOLE,
}


def template_values(values: dict[str, Any]) -> dict[str, Any]:
    """A template document's values, its slots and option groups made domain values."""
    built = dict(values)
    if "image_slots" in values:
        built["image_slots"] = tuple(ImageSlot(**slot) for slot in values["image_slots"])
    if "option_groups" in values:
        built["option_groups"] = tuple(
            OptionGroup(**{**group, "options": [Option(**o) for o in group.get("options", [])]})
            for group in values["option_groups"]
        )
    return built


_REFERENCES = {
    "feature_id": "feature",
    "provider_model_id": "provider model",
    "legacy_provider_model_id": "provider model",
    "tag_id": "tag",
}


def _exists(uow: UnitOfWork, field: str, key: int) -> bool:
    try:
        if field == "feature_id":
            return uow.features.get(key).deleted_at is None
        if field == "tag_id":
            return uow.tags.get(key) is not None
        return uow.provider_models.get(key) is not None
    except NotFound:
        return False


def check_references(uow: UnitOfWork, values: Mapping[str, Any]) -> None:
    """InvalidValue naming each referenced feature, provider model or tag that does not
    exist (a deleted feature does not)."""
    errors: list[FieldError] = [
        InvalidValue(field, f"no such {kind}")
        for field, kind in _REFERENCES.items()
        if values.get(field) is not None and not _exists(uow, field, values[field])
    ]
    raise_collected(errors)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def state_of(aggregate: Any) -> dict[str, Any]:
    """What an audit entry records of a catalog object: its fields, as JSON values."""
    return attrs.asdict(
        aggregate,
        value_serializer=lambda instance, field, value: _plain(value),
    )
