"""Bodies of the Fine-tuning routes (API.md, Fine-tuning; SPEC TRN-1…3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import attrs

from genmedia.application.trainings.trainings import Training
from genmedia.domain.status import Status
from genmedia.domain.trained_model import TrainedModel

Linker = Callable[[str], str]
"""The time-limited URL of a stored object, by its key."""


@attrs.frozen(kw_only=True)
class TrainingBody:
    """A LoRA to train: its name and trigger word, `style` or `portrait` (with a gender for
    a portrait: male or female), the base provider model, 1–5 of the caller's uploaded
    images in order, and optionally the steps and learning rate (within the base model's
    training limits)."""

    name: str
    trigger_word: str
    type: str = "style"
    gender: str | None = None
    base_model_id: int | None = None
    media_ids: list[int] = attrs.field(factory=list)
    steps: int | None = None
    learning_rate: float | None = None


@attrs.frozen(kw_only=True)
class TrainedModelPatch:
    """Publish or unpublish a trained model, or rename it; an absent field is unchanged."""

    is_public: bool | None = None
    name: str | None = None


@attrs.frozen(kw_only=True)
class TrainingView:
    """A training: the status, error and times of its job, the model it trains, and the
    credits it holds (`credits_reserved`) and was charged (`credits_used`)."""

    id: int
    status: Status
    error: str | None
    started_at: datetime | None
    completed_at: datetime | None
    trained_model_id: int
    credits_reserved: int
    credits_used: int


@attrs.frozen(kw_only=True)
class TrainedModelView:
    """A trained model (LoRA); `price` is what one output made with it costs on top."""

    id: int
    name: str
    trigger_word: str
    type: str
    status: str
    is_public: bool
    preview_image_url: str | None
    price: int
    base_model_id: int
    gender: str | None
    images_count: int
    training_credits_used: int
    error: str | None
    created_at: datetime | None


def training_view(training: Training) -> TrainingView:
    """The training as the API shows it."""
    return TrainingView(**attrs.asdict(training, recurse=False))


def trained_model_view(model: TrainedModel, link: Linker) -> TrainedModelView:
    """The trained model as the API shows it, its preview as a time-limited URL."""
    preview = model.preview_image_url
    if preview is not None and "://" not in preview:
        preview = link(preview)
    return TrainedModelView(
        id=model.id or 0,
        name=model.name,
        trigger_word=model.trigger_word,
        type=model.type.value,
        status=model.status.value,
        is_public=model.is_public,
        preview_image_url=preview,
        price=model.price,
        base_model_id=model.base_model_id,
        gender=model.gender.value if model.gender else None,
        images_count=model.images_count,
        training_credits_used=model.training_credits_used,
        error=model.training_error,
        created_at=model.created_at,
    )
