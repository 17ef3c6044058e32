"""Training a LoRA: its images, what its job asks the trainer, and a base model's limits
(SPEC TRN-2; seed 002 Training, seed 003 model_training_images).

A training runs as the one job of a request on the same pipeline as generation (claims,
polls, rescue, deadlines, holds); its job's input carries a `TrainingSpec`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs

from genmedia.domain.errors import FieldError, InvalidValue


@attrs.frozen(kw_only=True)
class TrainingImage:
    """One uploaded image a model is trained on, in the order given (1 first)."""

    order: int
    media_id: int | None
    storage_path: str
    file_format: str
    file_name: str | None = None
    file_size: int | None = None

    def as_document(self) -> dict[str, Any]:
        """The image as stored in a training job's input."""
        return attrs.asdict(self)

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> TrainingImage:
        """The image a stored document names."""
        return cls(
            order=int(doc.get("order", 0)),
            media_id=doc.get("media_id"),
            storage_path=doc.get("storage_path", ""),
            file_format=doc.get("file_format", ""),
            file_name=doc.get("file_name"),
            file_size=doc.get("file_size"),
        )


@attrs.frozen(kw_only=True)
class TrainingSpec:
    """What a training job asks its trainer for: the model to train, its images in order,
    the prompts that name the subject, and the steps and learning rate."""

    trained_model_id: int
    trigger_word: str
    type: str
    gender: str | None
    instance_prompt: str
    class_prompt: str | None
    steps: int
    learning_rate: float
    images: tuple[TrainingImage, ...]
    # The provider's training endpoint, when it is not the base model itself.
    trainer: str | None = None

    def as_document(self) -> dict[str, Any]:
        """The spec as stored in the job's input document."""
        doc = attrs.asdict(self, recurse=False)
        doc["images"] = [image.as_document() for image in self.images]
        return doc

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> TrainingSpec:
        """The spec a stored input document holds."""
        return cls(
            trained_model_id=int(doc["trained_model_id"]),
            trigger_word=doc.get("trigger_word", ""),
            type=doc.get("type", "style"),
            gender=doc.get("gender"),
            instance_prompt=doc.get("instance_prompt", ""),
            class_prompt=doc.get("class_prompt"),
            steps=int(doc.get("steps", 0)),
            learning_rate=float(doc.get("learning_rate", 0.0)),
            images=tuple(TrainingImage.from_document(i) for i in doc.get("images") or ()),
            trainer=doc.get("trainer"),
        )


def _number(spec: Mapping[str, Any], key: str, default: float) -> float:
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"training limit {key} must be a number")
    return value


@attrs.frozen(kw_only=True)
class TrainingLimits:
    """What a base model accepts for a training (its `limits.training`), with defaults for
    what it does not say: 1–5 images, steps and learning rate in a range, the price in
    credits, the time a training may take, and the provider's training endpoint if it is
    not the base model itself (fal's `fal-ai/flux-lora-fast-training`)."""

    min_images: int = 1
    max_images: int = 5
    min_steps: int = 1
    max_steps: int = 10_000
    default_steps: int = 100
    min_learning_rate: float = 1e-6
    max_learning_rate: float = 1e-2
    default_learning_rate: float = 1e-4
    price: int = 20
    timeout_seconds: int = 2 * 3600
    trainer: str | None = None

    @classmethod
    def of(cls, model_id: int | None, limits: Mapping[str, Any]) -> TrainingLimits:
        """The training limits of a base model; InvalidValue naming `base_model_id` when the
        model cannot be trained (its limits have no `training` entry)."""
        spec = limits.get("training")
        if not isinstance(spec, Mapping):
            raise InvalidValue("base_model_id", f"provider model {model_id} cannot be trained")
        defaults = cls()
        values = {
            name: type(getattr(defaults, name))(_number(spec, name, getattr(defaults, name)))
            for name in attrs.fields_dict(cls)
            if name != "trainer"
        }
        trainer = spec.get("trainer")
        if trainer is not None and (not isinstance(trainer, str) or not trainer.strip()):
            raise ValueError("training limit trainer must be a provider endpoint")
        return cls(**values, trainer=trainer)

    def check_images(self, count: int) -> list[FieldError]:
        """The error of training on `count` images, if it is outside the limits."""
        if self.min_images <= count <= self.max_images:
            return []
        wanted = f"{self.min_images} to {self.max_images}"
        return [InvalidValue("media_ids", f"must name {wanted} images, not {count}")]

    def steps(self, value: Any) -> tuple[int, list[FieldError]]:
        """The steps asked for (the default if None), and their error."""
        if value is None:
            return self.default_steps, []
        whole = isinstance(value, int) and not isinstance(value, bool)
        if not whole or not self.min_steps <= value <= self.max_steps:
            message = f"must be a whole number from {self.min_steps} to {self.max_steps}"
            return self.default_steps, [InvalidValue("steps", message)]
        return int(value), []

    def learning_rate(self, value: Any) -> tuple[float, list[FieldError]]:
        """The learning rate asked for (the default if None), and its error."""
        if value is None:
            return self.default_learning_rate, []
        number = isinstance(value, int | float) and not isinstance(value, bool)
        low, high = self.min_learning_rate, self.max_learning_rate
        if not number or not math.isfinite(value) or not low <= value <= high:
            message = f"must be a number from {low:g} to {high:g}"
            return self.default_learning_rate, [InvalidValue("learning_rate", message)]
        return float(value), []
