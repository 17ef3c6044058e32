"""The sample catalog `genmedia seed` loads: local provider models, features, tags, templates."""

from __future__ import annotations

from typing import Any

from genmedia.domain.catalog import Feature, Tag
from genmedia.domain.provider_model import ModelCategory, ProviderModel
from genmedia.domain.purchases import CreditPack
from genmedia.domain.template import ImageSlot, Option, OptionGroup

ASPECT_RATIOS = ("1:1", "9:16", "16:9", "4:3", "3:4")
SIZE = {"type": "integer", "minimum": 64, "maximum": 2048, "multipleOf": 8, "default": 512}
LOCAL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "width": SIZE,
        "height": SIZE,
        "aspect_ratio": {"type": "string", "enum": list(ASPECT_RATIOS)},
        "output_format": {"type": "string", "enum": ["png", "jpeg", "webp"], "default": "png"},
        "guidance": {"type": "number", "minimum": 0, "maximum": 20, "default": 7.5},
    },
    "additionalProperties": False,
}
I2I_SCHEMA: dict[str, Any] = {
    **LOCAL_SCHEMA,
    "properties": {
        **LOCAL_SCHEMA["properties"],
        "strength": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.6},
    },
}
LIMITS = {"max_batch_size": 8, "max_prompt_length": 2000, "max_pixels": 2048 * 2048}


def provider_models() -> list[ProviderModel]:
    """The local provider's models: synchronous, asynchronous (polled) and image-to-image."""
    return [
        ProviderModel(
            provider="local",
            model_slug="local-t2i",
            label="Local sketcher",
            version="1",
            endpoint="sync",
            category=ModelCategory.T2I,
            param_schema=LOCAL_SCHEMA,
            limits=LIMITS,
            cost_per_use=1,
            is_default=True,
        ),
        ProviderModel(
            provider="local",
            model_slug="local-t2i-async",
            label="Local sketcher (queued)",
            version="1",
            endpoint="async",
            category=ModelCategory.T2I,
            param_schema=LOCAL_SCHEMA,
            limits=LIMITS,
            cost_per_use=1,
        ),
        ProviderModel(
            provider="local",
            model_slug="local-i2i",
            label="Local restyler",
            version="1",
            endpoint="sync",
            category=ModelCategory.I2I,
            capabilities={"image_slots": [{"name": "image", "label": "Image to transform"}]},
            param_schema=I2I_SCHEMA,
            limits=LIMITS,
            cost_per_use=1,
        ),
    ]


def features() -> list[tuple[Feature, str]]:
    """Features with the slug of the provider model each runs on."""
    return [
        (
            Feature(
                name="Text to image",
                description="Describe a picture and get variations of it.",
                system_prompt="high quality, detailed",
                properties={
                    "cost_per_generation": 1,
                    "formats": ["png", "jpeg", "webp"],
                    "supported_aspect_ratios": list(ASPECT_RATIOS),
                    "max_resolution": "2048x2048",
                },
                order_index=0,
            ),
            "local-t2i",
        ),
        (
            Feature(
                name="Image edit",
                description="Transform one of your images.",
                properties={"cost_per_generation": 1, "formats": ["png", "jpeg", "webp"]},
                order_index=1,
            ),
            "local-i2i",
        ),
    ]


def credit_packs() -> list[CreditPack]:
    """Credit packs sold for Telegram Stars (XTR, whole stars)."""
    return [
        CreditPack(name="Starter", credits=100, price=50, currency="XTR"),
        CreditPack(name="Pro", credits=500, price=200, currency="XTR"),
        CreditPack(name="Premium", credits=1200, price=400, currency="XTR"),
    ]


def tags() -> list[Tag]:
    """Catalog tags."""
    return [
        Tag(name="Portrait", color_from="#f97316", color_to="#ec4899", icon="user", sort_order=0),
        Tag(
            name="Landscape",
            color_from="#22c55e",
            color_to="#0ea5e9",
            icon="mountain",
            sort_order=1,
        ),
        Tag(
            name="Fantasy", color_from="#8b5cf6", color_to="#06b6d4", icon="sparkles", sort_order=2
        ),
    ]


def _options(group: str, label: str, values: list[str], **kw: Any) -> OptionGroup:
    fragments: dict[str, str] = kw.pop("fragments", {})
    params: dict[str, dict[str, Any]] = kw.pop("params", {})
    default = kw.pop("default", None)
    options = [
        Option(
            value=v,
            label=v.replace("-", " ").capitalize(),
            prompt_fragment=fragments.get(v, ""),
            params=params.get(v, {}),
            sort_order=i,
            is_default=v == default,
        )
        for i, v in enumerate(values)
    ]
    return OptionGroup(group_name=group, label=label, options=options, **kw)


def photo_option_groups() -> list[OptionGroup]:
    """Seed 003's photo options: aspect ratio, glasses, hair, backgrounds and styles."""
    return [
        _options(
            "aspectRatio", "Aspect ratio", ["1:1", "9:16", "16:9"], default="1:1", required=True,
            params={r: {"aspect_ratio": r} for r in ("1:1", "9:16", "16:9")}, sort_order=0,
        ),
        _options(
            "glasses", "Glasses", ["yes", "no"], default="no", required=True,
            fragments={"yes": "wearing glasses"}, sort_order=1,
        ),
        _options(
            "hairColor", "Hair colour", ["default", "black", "brown", "blonde", "red"],
            default="default",
            fragments={c: f"{c} hair" for c in ("black", "brown", "blonde", "red")}, sort_order=2,
        ),
        _options(
            "hairStyle", "Hair style", ["no-preference", "short", "medium", "long", "curly"],
            default="no-preference",
            fragments={s: f"{s} hair" for s in ("short", "medium", "long", "curly")}, sort_order=3,
        ),
        _options(
            "backgrounds", "Backgrounds", ["studio", "beach", "city", "forest", "mountains"],
            multiple=True, fragments={
                "studio": "studio backdrop", "beach": "beach at sunset", "city": "city street",
                "forest": "green forest", "mountains": "snowy mountains",
            }, sort_order=4,
        ),
        _options(
            "styles", "Styles", ["cinematic", "watercolor", "neon", "vintage", "minimal"],
            multiple=True, fragments={
                "cinematic": "cinematic lighting", "watercolor": "watercolor painting",
                "neon": "neon glow", "vintage": "vintage film grain", "minimal": "minimalist",
            }, sort_order=5,
        ),
    ]  # fmt: skip


def templates() -> list[dict[str, Any]]:
    """Templates as constructor arguments, naming their feature, model and tag."""
    return [
        {
            "slug": "studio-portrait",
            "name": "Studio portrait",
            "feature": "Text to image",
            "model": "local-t2i-async",
            "tag": "Portrait",
            "description": "A portrait with seed 003's photo options.",
            "template_prompt": "professional portrait photo of a person",
            "price": 2,
            "option_groups": photo_option_groups(),
            "tags": ["portrait", "photo", "trending"],
            "is_trending": True,
            "order_index": 0,
        },
        {
            "slug": "neon-city",
            "name": "Neon city",
            "feature": "Text to image",
            "model": "local-t2i",
            "tag": "Fantasy",
            "template_prompt": "neon-lit city at night, rain reflections",
            "price": 1,
            "option_groups": [
                _options(
                    "timeOfDay",
                    "Time of day",
                    ["dusk", "night"],
                    default="night",
                    fragments={"dusk": "purple dusk sky", "night": "deep night sky"},
                ),
            ],
            "tags": ["city", "neon"],
            "order_index": 1,
        },
        {
            "slug": "alpine-landscape",
            "name": "Alpine landscape",
            "feature": "Text to image",
            "model": "local-t2i",
            "tag": "Landscape",
            "template_prompt": "sweeping alpine landscape, snow peaks, golden light",
            "allow_user_custom_prompt": False,
            "price": 1,
            "option_groups": [
                _options(
                    "season",
                    "Season",
                    ["spring", "summer", "autumn", "winter"],
                    default="summer",
                    fragments={s: f"in {s}" for s in ("spring", "summer", "autumn", "winter")},
                ),
            ],
            "tags": ["landscape", "mountains"],
            "order_index": 2,
        },
        {
            "slug": "restyle-photo",
            "name": "Restyle a photo",
            "feature": "Image edit",
            "model": "local-i2i",
            "tag": None,
            "template_prompt": "restyled artwork",
            "image_slots": [ImageSlot(name="image", label="Photo to restyle", min=1, max=1)],
            "option_groups": [
                _options(
                    "style",
                    "Style",
                    ["watercolor", "oil", "sketch", "pop-art"],
                    required=True,
                    fragments={
                        "watercolor": "watercolor",
                        "oil": "oil painting",
                        "sketch": "pencil sketch",
                        "pop-art": "pop art, bold colors",
                    },
                ),
            ],
            "price": 1,
            "tags": ["edit"],
            "order_index": 3,
        },
    ]
