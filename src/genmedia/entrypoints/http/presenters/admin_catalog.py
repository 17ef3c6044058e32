"""Bodies of the catalog's admin routes (API.md, Admin): every field of each object,
including what the public catalog hides (inactive, deleted, prompts, params)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

import attrs

from genmedia.domain.catalog import Feature, MediaCategory, Tag
from genmedia.domain.provider_model import ModelCategory, ProviderModel
from genmedia.domain.template import OptionGroup, Template

V = TypeVar("V")


def _view(view: type[V], thing: Any, **values: Any) -> V:
    """The view of `thing`: each field of the view read from the attribute of its name."""
    names = [f.name for f in attrs.fields(view) if f.name not in values]  # type: ignore[arg-type]
    return view(**{name: getattr(thing, name) for name in names}, **values)


@attrs.frozen(kw_only=True)
class FeatureAdminView:
    """A feature with every field; `deleted_at` is set on a deleted one."""

    id: int
    name: str
    category: MediaCategory
    description: str | None
    system_prompt: str | None
    properties: dict[str, Any]
    provider_model_id: int | None
    legacy_provider_model_id: int | None
    preview_url: str | None
    icon_url: str | None
    is_active: bool
    order_index: int
    created_at: datetime | None
    deleted_at: datetime | None


@attrs.frozen(kw_only=True)
class TagAdminView:
    """A tag with every field."""

    id: int
    name: str
    color_from: str | None
    color_to: str | None
    icon: str | None
    sort_order: int
    is_active: bool


@attrs.frozen(kw_only=True)
class ProviderModelAdminView:
    """A provider model with every field, its usage counted."""

    id: int
    provider: str
    model_slug: str
    label: str
    version: str | None
    endpoint: str | None
    category: ModelCategory
    capabilities: dict[str, Any]
    param_schema: dict[str, Any]
    limits: dict[str, Any]
    cost_per_use: int
    usage_count: int
    last_used_at: datetime | None
    is_default: bool
    is_active: bool
    synced_at: datetime | None


@attrs.frozen(kw_only=True)
class OptionAdminView:
    """One option with the params it adds."""

    id: int | None
    value: str
    label: str
    prompt_fragment: str
    params: dict[str, Any]
    icon: str | None
    thumbnail: str | None
    sort_order: int
    is_default: bool


@attrs.frozen(kw_only=True)
class OptionGroupAdminView:
    """An option group and its options."""

    group_name: str
    label: str
    multiple: bool
    required: bool
    sort_order: int
    options: list[OptionAdminView]


@attrs.frozen(kw_only=True)
class ImageSlotAdminView:
    """An input a request attaches from `min` to `max` images to."""

    name: str
    label: str
    min: int
    max: int


@attrs.frozen(kw_only=True)
class TemplateAdminView:
    """A template with every field and its option groups; `deleted_at` on a deleted one."""

    id: int
    feature_id: int
    name: str
    slug: str
    description: str | None
    template_prompt: str | None
    template_data: dict[str, Any]
    preview_url: str | None
    price: int
    allow_user_custom_prompt: bool
    capabilities: dict[str, Any]
    image_slots: list[ImageSlotAdminView]
    system_images: list[str]
    option_groups: list[OptionGroupAdminView]
    provider_model_id: int | None
    legacy_provider_model_id: int | None
    tag_id: int | None
    tags: list[str]
    is_trending: bool
    trend_score: int
    usage_count: int
    view_count: int
    trend_start_date: datetime | None
    trend_end_date: datetime | None
    is_active: bool
    order_index: int
    created_at: datetime | None
    deleted_at: datetime | None


def feature_admin_view(feature: Feature) -> FeatureAdminView:
    """A feature as the admin routes show it."""
    return _view(FeatureAdminView, feature, id=feature.id or 0)


def tag_admin_view(tag: Tag) -> TagAdminView:
    """A tag as the admin routes show it."""
    return _view(TagAdminView, tag, id=tag.id or 0)


def provider_model_admin_view(model: ProviderModel) -> ProviderModelAdminView:
    """A provider model as the admin routes show it."""
    return _view(ProviderModelAdminView, model, id=model.id or 0)


def _group_view(group: OptionGroup) -> OptionGroupAdminView:
    options = [_view(OptionAdminView, o) for o in sorted(group.options, key=lambda o: o.sort_order)]
    return _view(OptionGroupAdminView, group, options=options)


def template_admin_view(template: Template) -> TemplateAdminView:
    """A template as the admin routes show it, its groups in display order."""
    groups = sorted(template.option_groups, key=lambda g: g.sort_order)
    return _view(
        TemplateAdminView,
        template,
        id=template.id or 0,
        image_slots=[_view(ImageSlotAdminView, slot) for slot in template.image_slots],
        option_groups=[_group_view(group) for group in groups],
        tags=list(template.tags),
        system_images=list(template.system_images),
    )
