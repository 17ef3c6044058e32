"""The commands of the training use cases, as frozen value objects."""

from __future__ import annotations

from typing import Any

import attrs


@attrs.frozen(kw_only=True)
class SubmitTraining:
    """Train a LoRA: a name, a trigger word, a type (style or portrait; a gender for a
    portrait), the base model (None: the default model), 1–5 of the user's uploaded images
    by id in order, and optionally the steps and the learning rate."""

    user_id: int
    name: Any
    trigger_word: Any
    type: Any = "style"
    gender: Any = None
    base_model_id: int | None = None
    media_ids: list[int] = attrs.field(factory=list)
    steps: Any = None
    learning_rate: Any = None


@attrs.frozen(kw_only=True)
class EditTrainedModel:
    """Rename a user's trained model, or publish or unpublish it (None: unchanged)."""

    user_id: int
    trained_model_id: int
    name: str | None = None
    is_public: bool | None = None
