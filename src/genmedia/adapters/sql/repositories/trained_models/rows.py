"""Rows of trained models: `trained_model_row` to write, `trained_model_from_row` to read."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from genmedia.domain.trained_model import TrainedModel

_FIELDS = (
    "owner_id", "name", "trigger_word", "base_model_id", "type", "status", "preview_image_url",
    "is_public", "price", "gender", "weights_url", "config_url", "deleted_at",
)  # fmt: skip


def trained_model_row(model: TrainedModel) -> dict[str, Any]:
    """The column values of a trained model that an insert or a save writes."""
    return {name: getattr(model, name) for name in _FIELDS}


def trained_model_from_row(row: sa.Row[Any]) -> TrainedModel:
    """The trained model a row holds."""
    values = {name: getattr(row, name) for name in _FIELDS}
    return TrainedModel(id=row.id, created_at=row.created_at, **values)
