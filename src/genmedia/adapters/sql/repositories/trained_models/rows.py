"""Rows of trained models: `trained_model_row` to write, `trained_model_from_row` to read;
`image_rows` and `image_from_row` for the images each is trained on."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from genmedia.domain.trained_model import TrainedModel
from genmedia.domain.training import TrainingImage

_FIELDS = (
    "owner_id", "name", "trigger_word", "base_model_id", "type", "status", "preview_image_url",
    "is_public", "price", "gender", "weights_url", "config_url", "training_request_id",
    "images_count", "training_credits_used", "training_error", "deleted_at",
)  # fmt: skip


def trained_model_row(model: TrainedModel) -> dict[str, Any]:
    """The column values of a trained model that an insert or a save writes."""
    return {name: getattr(model, name) for name in _FIELDS}


def trained_model_from_row(row: sa.Row[Any], images: list[TrainingImage]) -> TrainedModel:
    """The trained model a row holds, with the images it is trained on."""
    values = {name: getattr(row, name) for name in _FIELDS}
    return TrainedModel(id=row.id, created_at=row.created_at, images=images, **values)


def image_rows(model: TrainedModel) -> list[dict[str, Any]]:
    """The rows of the images a stored model is trained on."""
    return [
        {
            "trained_model_id": model.id,
            "media_id": image.media_id,
            "image_order": image.order,
            "image_url": image.storage_path,
            "file_format": image.file_format,
            "file_size": image.file_size,
            "file_name": image.file_name,
        }
        for image in model.images
    ]


def image_from_row(row: sa.Row[Any]) -> TrainingImage:
    """The training image a row holds."""
    return TrainingImage(
        order=row.image_order,
        media_id=row.media_id,
        storage_path=row.image_url,
        file_format=row.file_format,
        file_name=row.file_name,
        file_size=row.file_size,
    )
