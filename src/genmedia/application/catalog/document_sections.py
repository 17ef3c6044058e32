"""The sections of a catalog document, their records and natural keys (issue #20 §5).

A section is one kind of catalog entity. Its records name each other by natural key, never
by database id: a feature names its provider models by slug, a template its feature by name.
The sections are listed in the order a load applies them (what is named comes first).

To add a kind, append a `Section` to `SECTIONS` and teach `application.catalog.entries` to
turn its entities into records and back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from genmedia.application.catalog.document_fields import (
    Field,
    Problems,
    boolean,
    integer,
    json_value,
    mapping,
    moment,
    name,
    one_of,
    optional_name,
    optional_string,
    problem,
    records,
    string,
    strings,
)
from genmedia.domain.catalog import MediaCategory
from genmedia.domain.catalog_changes import Retirement
from genmedia.domain.provider_model import ModelCategory
from genmedia.domain.settings import SettingType, names_a_secret

FORMAT_VERSION = 1
Entry = dict[str, Any]
Entries = dict[str, Entry]  # natural key → record, in the document's order


@attrs.frozen(kw_only=True)
class Section:
    """One kind of catalog entity in the document."""

    name: str
    key: str
    fields: tuple[Field, ...]
    retirement: Retirement
    # Each field that names another entity: the section it names, and the entity's id field.
    references: Mapping[str, tuple[str, str]] = attrs.field(factory=dict)
    # Fields a record must not have, each with why.
    refused: Mapping[str, str] = attrs.field(factory=dict)


def _active() -> Field:
    return Field("is_active", boolean, True)


def _order(field: str = "order_index") -> Field:
    return Field(field, integer(0), 0)


PROVIDER_MODELS = Section(
    name="provider_models",
    key="model_slug",
    retirement=Retirement.DEACTIVATE,
    fields=(
        Field("provider", name),
        Field("model_slug", name),
        Field("label", name),
        Field("version", optional_string, None),
        Field("endpoint", optional_string, None),
        Field("category", one_of(ModelCategory), ModelCategory.T2I.value),
        Field("capabilities", mapping, {}),
        Field("param_schema", mapping, {}),
        Field("limits", mapping, {}),
        Field("cost_per_use", integer(0), 0),
        Field("is_default", boolean, False),
        _active(),
    ),
)
FEATURES = Section(
    name="features",
    key="name",
    retirement=Retirement.SOFT_DELETE,
    references={
        "model": ("provider_models", "provider_model_id"),
        "legacy_model": ("provider_models", "legacy_provider_model_id"),
    },
    fields=(
        Field("name", name),
        Field("category", one_of(MediaCategory), MediaCategory.IMAGE.value),
        Field("description", optional_string, None),
        Field("system_prompt", optional_string, None),
        Field("properties", mapping, {}),
        Field("model", optional_name, None),
        Field("legacy_model", optional_name, None),
        Field("preview_url", optional_string, None),
        Field("icon_url", optional_string, None),
        _active(),
        _order(),
    ),
)
TAGS = Section(
    name="tags",
    key="name",
    retirement=Retirement.DEACTIVATE,
    fields=(
        Field("name", name),
        Field("color_from", optional_string, None),
        Field("color_to", optional_string, None),
        Field("icon", optional_string, None),
        _order("sort_order"),
        _active(),
    ),
)
CREDIT_PACKS = Section(
    name="credit_packs",
    key="name",
    retirement=Retirement.DEACTIVATE,
    fields=(
        Field("name", name),
        Field("credits", integer(1)),
        Field("price", integer(0)),
        Field("currency", name),
        _active(),
    ),
)
_OPTION = (
    Field("value", name),
    Field("label", name),
    Field("prompt_fragment", string, ""),
    Field("params", mapping, {}),
    Field("icon", optional_string, None),
    Field("thumbnail", optional_string, None),
    _order("sort_order"),
    Field("is_default", boolean, False),
)
_OPTION_GROUP = (
    Field("group_name", name),
    Field("label", name),
    Field("multiple", boolean, False),
    Field("required", boolean, False),
    _order("sort_order"),
    Field("options", records(*_OPTION, order_by="sort_order"), []),
)
_IMAGE_SLOT = (
    Field("name", name),
    Field("label", string, ""),
    Field("min", integer(0), 1),
    Field("max", integer(1), 1),
)
TEMPLATES = Section(
    name="templates",
    key="slug",
    retirement=Retirement.SOFT_DELETE,
    references={
        "feature": ("features", "feature_id"),
        "model": ("provider_models", "provider_model_id"),
        "legacy_model": ("provider_models", "legacy_provider_model_id"),
        "tag": ("tags", "tag_id"),
    },
    fields=(
        Field("slug", name),
        Field("name", name),
        Field("feature", name),
        Field("description", optional_string, None),
        Field("template_prompt", optional_string, None),
        Field("template_data", mapping, {}),
        Field("preview_url", optional_string, None),
        Field("price", integer(0), 0),
        Field("allow_user_custom_prompt", boolean, True),
        Field("capabilities", mapping, {}),
        Field("image_slots", records(*_IMAGE_SLOT), []),
        Field("system_images", strings, []),
        Field("option_groups", records(*_OPTION_GROUP, order_by="sort_order"), []),
        Field("model", optional_name, None),
        Field("legacy_model", optional_name, None),
        Field("tag", optional_name, None),
        Field("tags", strings, []),
        Field("is_trending", boolean, False),
        Field("trend_start_date", moment, None),
        Field("trend_end_date", moment, None),
        _active(),
        _order(),
    ),
)
_KEPT_OUT = "encrypted settings are never in a catalog document: use `genmedia settings set`"


def _setting_key(value: Any, path: str, problems: Problems) -> Any:
    """A setting's key, which must not name a credential (those are kept encrypted)."""
    key = name(value, path, problems)
    if isinstance(key, str) and names_a_secret(key):
        problem(problems, path, f"names a credential; {_KEPT_OUT}")
    return key


SETTINGS = Section(
    name="settings",
    key="key",
    retirement=Retirement.KEEP,
    refused={"is_encrypted": f"not a field of a setting here; {_KEPT_OUT}"},
    fields=(
        Field("key", _setting_key),
        Field("type", one_of(SettingType), SettingType.STRING.value),
        Field("value", json_value, None),
        Field("group", name, "general"),
        Field("label", optional_string, None),
        Field("description", optional_string, None),
    ),
)
SECTIONS: tuple[Section, ...] = (
    PROVIDER_MODELS,
    FEATURES,
    TAGS,
    CREDIT_PACKS,
    TEMPLATES,
    SETTINGS,
)
