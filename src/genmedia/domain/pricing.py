"""Pricing of a generation (SPEC WAL-8)."""

from __future__ import annotations

from genmedia.domain.catalog import Feature
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.template import Template


def unit_cost(feature: Feature, template: Template | None, model: ProviderModel) -> int:
    """Credits for one output: feature cost, template price and provider model cost added up."""
    return feature.cost_per_generation + (template.price if template else 0) + model.cost_per_use
