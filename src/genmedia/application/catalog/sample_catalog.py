"""The sample catalog `genmedia seed` loads, read from ``sample_catalog.json`` in this package.

Each object in the file holds the constructor arguments of its domain class; a field left out
takes the class's default. Features and templates name the provider model, feature and tag they
belong to (``"model"``, ``"feature"``, ``"tag"``); seeding turns those names into ids.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import attrs

from genmedia.domain.catalog import Tag
from genmedia.domain.provider_model import ModelCategory, ProviderModel
from genmedia.domain.purchases import CreditPack
from genmedia.domain.template import ImageSlot, Option, OptionGroup


@attrs.frozen(kw_only=True)
class FeatureSeed:
    """A feature's constructor arguments and the slug of the provider model it runs on."""

    model: str
    fields: dict[str, Any]

    @property
    def name(self) -> str:
        """The feature's name, unique in the catalog."""
        return str(self.fields["name"])


@attrs.frozen(kw_only=True)
class TemplateSeed:
    """A template's constructor arguments and the names of its feature, model and tag."""

    feature: str
    model: str
    tag: str | None
    fields: dict[str, Any]

    @property
    def slug(self) -> str:
        """The template's slug, unique in the catalog."""
        return str(self.fields["slug"])


@attrs.frozen(kw_only=True)
class SampleCatalog:
    """Everything the sample catalog holds, as fresh objects of each load."""

    provider_models: list[ProviderModel]
    features: list[FeatureSeed]
    tags: list[Tag]
    credit_packs: list[CreditPack]
    templates: list[TemplateSeed]


def _provider_model(fields: dict[str, Any]) -> ProviderModel:
    category = ModelCategory(fields.pop("category", ModelCategory.T2I))
    return ProviderModel(category=category, **fields)


def _feature(fields: dict[str, Any]) -> FeatureSeed:
    return FeatureSeed(model=fields.pop("model"), fields=fields)


def _option_group(fields: dict[str, Any]) -> OptionGroup:
    options = [Option(**option) for option in fields.pop("options")]
    return OptionGroup(options=options, **fields)


def _template(fields: dict[str, Any]) -> TemplateSeed:
    fields["option_groups"] = [_option_group(g) for g in fields.get("option_groups", [])]
    fields["image_slots"] = [ImageSlot(**slot) for slot in fields.get("image_slots", [])]
    refs = {name: fields.pop(name) for name in ("feature", "model", "tag")}
    return TemplateSeed(fields=fields, **refs)


def load() -> SampleCatalog:
    """Read the sample catalog; every call builds new objects."""
    package = resources.files("genmedia.application.catalog")
    data = json.loads(package.joinpath("sample_catalog.json").read_text(encoding="utf-8"))
    return SampleCatalog(
        provider_models=[_provider_model(m) for m in data["provider_models"]],
        features=[_feature(f) for f in data["features"]],
        tags=[Tag(**tag) for tag in data["tags"]],
        credit_packs=[CreditPack(**pack) for pack in data["credit_packs"]],
        templates=[_template(t) for t in data["templates"]],
    )
