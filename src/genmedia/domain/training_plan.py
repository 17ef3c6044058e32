"""Turning a training order into a trained model and the request whose job trains it
(SPEC TRN-1, TRN-2): every error found at once, nothing made until all is valid."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs

from genmedia.domain.catalog import MediaCategory
from genmedia.domain.errors import FieldError, InvalidAttachment, InvalidValue, raise_collected
from genmedia.domain.job import Job
from genmedia.domain.job_input import JobInput
from genmedia.domain.media import IMAGE_FORMATS, Media, MediaKind
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.request import GenerationRequest
from genmedia.domain.trained_model import TrainedModel, TrainedModelType
from genmedia.domain.training import TrainingImage, TrainingLimits, TrainingSpec

_CLASS_WORDS = {"male": "man", "female": "woman", None: "person"}


@attrs.frozen(kw_only=True)
class TrainingOrder:
    """What a user asked to train: a name, a trigger word, a type (and a gender for a
    portrait), their uploaded images in order (`media`, as loaded for `media_ids`), and
    optionally the steps and learning rate."""

    user_id: int
    name: Any
    trigger_word: Any
    type: Any = TrainedModelType.STYLE.value
    gender: Any = None
    media: tuple[Media, ...] = ()
    steps: Any = None
    learning_rate: Any = None
    priority: int = 0


def _images(order: TrainingOrder) -> tuple[list[TrainingImage], list[FieldError]]:
    """The order's media as training images, and why any cannot be trained on."""
    images: list[TrainingImage] = []
    errors: list[FieldError] = []
    seen: set[int | None] = set()
    for position, media in enumerate(order.media):
        field = f"media_ids.{position}"
        if media.user_id != order.user_id or media.is_deleted:
            errors.append(InvalidAttachment(field, f"media {media.id} not found"))
        elif media.kind is not MediaKind.UPLOADED:
            errors.append(InvalidValue(field, f"media {media.id} is not an uploaded image"))
        elif media.media_type is not MediaCategory.IMAGE or media.info.file_format not in (
            IMAGE_FORMATS
        ):
            errors.append(InvalidValue(field, f"media {media.id} is not an image"))
        elif media.id in seen:
            errors.append(InvalidValue(field, f"media {media.id} is named twice"))
        seen.add(media.id)
        images.append(
            TrainingImage(
                order=position + 1,
                media_id=media.id,
                storage_path=media.storage_path,
                file_format=media.info.file_format,
                file_name=media.original_filename,
                file_size=media.info.file_size,
            )
        )
    return images, errors


def _model(
    order: TrainingOrder, base: ProviderModel
) -> tuple[TrainedModel | None, list[FieldError]]:
    try:
        model = TrainedModel(
            owner_id=order.user_id,
            name=order.name,
            trigger_word=order.trigger_word,
            base_model_id=base.id or 0,
            type=order.type,
            gender=order.gender,
        )
    except InvalidValue as error:
        return None, [error]
    return model, []


def plan_training(
    order: TrainingOrder, base: ProviderModel
) -> tuple[TrainedModel, TrainingLimits, int, float]:
    """Check the order against the base model's training limits; the model to train (with
    its images), the limits, and the steps and learning rate. Raises every error at once."""
    limits = TrainingLimits.of(base.id, base.limits)
    errors: list[FieldError] = []
    if not base.is_active:
        errors.append(InvalidValue("base_model_id", f"provider model {base.id} is not available"))
    model, model_errors = _model(order, base)
    images, image_errors = _images(order)
    steps, step_errors = limits.steps(order.steps)
    rate, rate_errors = limits.learning_rate(order.learning_rate)
    errors += model_errors + limits.check_images(len(order.media)) + image_errors
    raise_collected(errors + step_errors + rate_errors)
    assert model is not None  # no error was raised, so it was made
    model.train_on(images)
    return model, limits, steps, rate


def training_request(
    model: TrainedModel,
    base: ProviderModel,
    limits: TrainingLimits,
    *,
    steps: int,
    learning_rate: float,
    priority: int,
    now: datetime,
) -> GenerationRequest:
    """The request whose one job trains the stored `model` on `base`, costing the limits'
    price, due within their timeout."""
    gender = model.gender.value if model.gender else None
    is_portrait = model.type is TrainedModelType.PORTRAIT
    spec = TrainingSpec(
        trained_model_id=model.id or 0,
        trigger_word=model.trigger_word,
        type=model.type.value,
        gender=gender,
        instance_prompt=f"a photo of {model.trigger_word}",
        class_prompt=f"a photo of a {_CLASS_WORDS.get(gender, 'person')}" if is_portrait else None,
        steps=steps,
        learning_rate=learning_rate,
        images=tuple(model.images),
        trainer=limits.trainer,
    )
    given = JobInput(
        provider=base.provider,
        model=base.model_slug,
        endpoint=base.endpoint,
        prompt=spec.instance_prompt,
        training=spec,
        credits=limits.price,
    )
    job = Job(
        user_id=model.owner_id,
        feature_id=None,
        priority=priority,
        input=given,
        deadline_at=now + timedelta(seconds=limits.timeout_seconds),
        created_at=now,
    )
    return GenerationRequest(
        user_id=model.owner_id,
        feature_id=None,
        provider_model_id=base.id,
        trained_model_id=model.id,
        user_prompt=spec.instance_prompt,
        final_prompt=spec.instance_prompt,
        input_media_ids=[image.media_id or 0 for image in model.images],
        user_media_urls=[image.storage_path for image in model.images],
        input_metadata={"training": {"steps": steps, "learning_rate": learning_rate}},
        generation_params=given.payload(),
        estimated_cost=limits.price,
        jobs=[job],
        created_at=now,
        updated_at=now,
    )
