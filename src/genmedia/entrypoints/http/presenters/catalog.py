"""Bodies of the Catalog routes (API.md, Catalog)."""

from __future__ import annotations

from typing import Any

import attrs

from genmedia.domain.catalog import Feature, MediaCategory, Tag
from genmedia.domain.provider_model import ModelCategory, ProviderModel
from genmedia.domain.template import ImageSlot, Option, OptionGroup, Template


@attrs.frozen(kw_only=True)
class FeatureView:
    """What kind of thing a user can make."""

    id: int
    name: str
    description: str | None
    category: MediaCategory
    properties: dict[str, Any]
    preview_url: str | None
    icon_url: str | None
    order_index: int


@attrs.frozen(kw_only=True)
class TagView:
    """A label grouping templates."""

    id: int
    name: str
    color_from: str | None
    color_to: str | None
    icon: str | None
    sort_order: int


@attrs.frozen(kw_only=True)
class TemplateCard:
    """A template as the catalog lists it; `trend_score` is recomputed periodically."""

    id: int
    slug: str
    name: str
    feature_id: int
    tag_id: int | None
    tags: list[str]
    preview_url: str | None
    price: int
    is_trending: bool
    trend_score: int
    usage_count: int
    view_count: int


@attrs.frozen(kw_only=True)
class OptionView:
    """One choice of an option group; a request selects it by `value`."""

    id: int | None
    value: str
    label: str
    prompt_fragment: str
    icon: str | None
    thumbnail: str | None
    is_default: bool
    sort_order: int


@attrs.frozen(kw_only=True)
class OptionGroupView:
    """A group of options, chosen under `group_name` in `selected_options`."""

    group_name: str
    label: str
    multiple: bool
    required: bool
    options: list[OptionView]


@attrs.frozen(kw_only=True)
class ImageSlotView:
    """An input a request attaches media to: from `min` to `max` images."""

    name: str
    label: str
    min: int
    max: int


@attrs.frozen(kw_only=True)
class TemplateView(TemplateCard):
    """One template with everything needed to fill in a request for it."""

    description: str | None
    allow_user_custom_prompt: bool
    image_slots: list[ImageSlotView]
    capabilities: dict[str, Any]
    provider_model_id: int | None
    option_groups: list[OptionGroupView]


@attrs.frozen(kw_only=True)
class ProviderModelView:
    """A model of a provider; `param_schema` (a JSON Schema) describes its params."""

    id: int
    provider: str
    model_slug: str
    label: str
    version: str | None
    category: ModelCategory
    capabilities: dict[str, Any]
    param_schema: dict[str, Any]
    limits: dict[str, Any]
    cost_per_use: int


def feature_view(feature: Feature) -> FeatureView:
    """A feature as the API shows it."""
    return FeatureView(
        id=feature.id or 0,
        name=feature.name,
        description=feature.description,
        category=feature.category,
        properties=feature.properties,
        preview_url=feature.preview_url,
        icon_url=feature.icon_url,
        order_index=feature.order_index,
    )


def tag_view(tag: Tag) -> TagView:
    """A tag as the API shows it."""
    return TagView(
        id=tag.id or 0,
        name=tag.name,
        color_from=tag.color_from,
        color_to=tag.color_to,
        icon=tag.icon,
        sort_order=tag.sort_order,
    )


def _card_fields(template: Template) -> dict[str, Any]:
    names = [f.name for f in attrs.fields(TemplateCard) if f.name != "id"]
    return {"id": template.id or 0, **{name: getattr(template, name) for name in names}}


def template_card(template: Template) -> TemplateCard:
    """A template as the catalog lists it."""
    return TemplateCard(**_card_fields(template))


def _option_view(option: Option) -> OptionView:
    return OptionView(**attrs.asdict(option, filter=lambda a, v: a.name != "params"))


def _group_view(group: OptionGroup) -> OptionGroupView:
    return OptionGroupView(
        group_name=group.group_name,
        label=group.label,
        multiple=group.multiple,
        required=group.required,
        options=[_option_view(o) for o in sorted(group.options, key=lambda o: o.sort_order)],
    )


def _slot_view(slot: ImageSlot) -> ImageSlotView:
    return ImageSlotView(name=slot.name, label=slot.label, min=slot.min, max=slot.max)


def template_view(template: Template) -> TemplateView:
    """One template with its option groups (in display order) and image slots."""
    groups = sorted(template.option_groups, key=lambda g: g.sort_order)
    return TemplateView(
        **_card_fields(template),
        description=template.description,
        allow_user_custom_prompt=template.allow_user_custom_prompt,
        image_slots=[_slot_view(slot) for slot in template.image_slots],
        capabilities=template.capabilities,
        provider_model_id=template.provider_model_id,
        option_groups=[_group_view(group) for group in groups],
    )


def provider_model_view(model: ProviderModel) -> ProviderModelView:
    """A provider model as the API shows it."""
    return ProviderModelView(
        id=model.id or 0,
        provider=model.provider,
        model_slug=model.model_slug,
        label=model.label,
        version=model.version,
        category=model.category,
        capabilities=model.capabilities,
        param_schema=model.param_schema,
        limits=model.limits,
        cost_per_use=model.cost_per_use,
    )
