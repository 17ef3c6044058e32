"""Pricing of a generation (SPEC WAL-8)."""

from __future__ import annotations

from genmedia.domain.catalog import Feature
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.template import Template
from genmedia.domain.trained_model import TrainedModel


def unit_cost(
    feature: Feature,
    template: Template | None,
    model: ProviderModel,
    trained_model: TrainedModel | None = None,
) -> int:
    """Credits for one output: the feature cost, template price, provider model cost and
    trained model price, added up."""
    return (
        feature.cost_per_generation
        + (template.price if template else 0)
        + model.cost_per_use
        + (trained_model.price if trained_model else 0)
    )
