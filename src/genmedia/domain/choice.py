"""What a user chose for a request, and the checks of each part of it (SPEC GEN-3).

Each check returns the errors it found, so that planning reports them all at once.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from genmedia.domain.catalog import Feature
from genmedia.domain.errors import FieldError, InvalidAttachment, InvalidPrompt, InvalidValue
from genmedia.domain.job_input import LoraUse
from genmedia.domain.media import Media
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.template import ImageSlot, Selection, Template, check_attachments
from genmedia.domain.trained_model import FIELD as TRAINED_MODEL_FIELD
from genmedia.domain.trained_model import TrainedModel

MAX_SEED = 2**32 - 1
DEFAULT_MAX_BATCH = 16
DEFAULT_LORA_WEIGHT = 1.0
MAX_LORA_WEIGHT = 2.0


@attrs.frozen(kw_only=True)
class Choice:
    """What the user chose: the catalog objects, prompt, options, inputs and parameters.

    `lora_weight` is how strongly the trained model applies (0 to 2); when None it is read
    from `input_metadata.lora_weights` (a number, or a mapping from trained model id to a
    number), else 1.
    """

    user_id: int
    feature: Feature
    model: ProviderModel
    template: Template | None = None
    # The legacy model the jobs fall back to (`domain.fallback`), if the catalog names one.
    fallback_model: ProviderModel | None = None
    trained_model: TrainedModel | None = None
    lora_weight: float | None = None
    user_prompt: str = ""
    selection: Selection = attrs.field(factory=dict)
    attachments: dict[str, list[Media]] = attrs.field(factory=dict)
    input_metadata: dict[str, Any] = attrs.field(factory=dict)
    params: dict[str, Any] = attrs.field(factory=dict)
    project_id: int | None = None
    priority: int = 0


def image_slots(template: Template | None, model: ProviderModel) -> tuple[ImageSlot, ...]:
    """The inputs a request must attach: the template's slots, else the model's own."""
    if template is not None and template.image_slots:
        return template.image_slots
    return tuple(ImageSlot(**slot) for slot in model.capabilities.get("image_slots", []))


def check_catalog(choice: Choice) -> list[FieldError]:
    """The chosen feature, template and provider model must be available and match."""
    errors: list[FieldError] = []
    if not choice.feature.is_usable:
        errors.append(InvalidValue("feature_id", "this feature is not available"))
    if choice.template is not None:
        if not choice.template.is_usable:
            errors.append(InvalidValue("template_id", "this template is not available"))
        if choice.template.feature_id != choice.feature.id:
            errors.append(InvalidValue("template_id", "this template belongs to another feature"))
    if not choice.model.is_active:
        errors.append(InvalidValue("provider_model_id", "this provider model is not available"))
    return errors


def check_prompt(choice: Choice) -> list[FieldError]:
    """A prompt is required without a template, and refused by a template without one."""
    template, prompt = choice.template, choice.user_prompt.strip()
    if template is not None and not template.allow_user_custom_prompt and prompt:
        return [InvalidPrompt("user_prompt", "this template does not take a custom prompt")]
    if template is None and not prompt:
        return [InvalidPrompt("user_prompt", "is required without a template")]
    return []


def check_attachments_of(choice: Choice) -> list[FieldError]:
    """The attached media fill the image slots and are the user's own, live media."""
    slots = image_slots(choice.template, choice.model)
    ids = {name: [m.id or 0 for m in media] for name, media in choice.attachments.items()}
    errors = check_attachments(slots, ids)
    for name, media in choice.attachments.items():
        for item in media:
            if item.user_id != choice.user_id or item.is_deleted:
                errors.append(InvalidAttachment(f"media_ids.{name}", f"media {item.id} not found"))
    return errors


def check_metadata(choice: Choice, seed: int) -> tuple[dict[str, Any], list[FieldError]]:
    """The input metadata with its defaults (batch size 1, `seed`), and its errors."""
    meta = dict(choice.input_metadata)
    errors: list[FieldError] = []
    batch = meta.setdefault("batch_size", 1)
    if not isinstance(batch, int) or isinstance(batch, bool) or not 1 <= batch <= DEFAULT_MAX_BATCH:
        errors.append(
            InvalidValue(
                "input_metadata.batch_size", f"must be an integer from 1 to {DEFAULT_MAX_BATCH}"
            )
        )
    given = meta.setdefault("seed", seed)
    if not isinstance(given, int) or isinstance(given, bool) or not 0 <= given <= MAX_SEED:
        errors.append(
            InvalidValue("input_metadata.seed", f"must be an integer from 0 to {MAX_SEED}")
        )
    negative = meta.get("negative_prompt")
    if negative is not None and not isinstance(negative, str):
        errors.append(InvalidValue("input_metadata.negative_prompt", "must be text"))
    return meta, errors


def check_trained_model(choice: Choice) -> list[FieldError]:
    """A trained model must be usable by the user and trained on the chosen model."""
    trained = choice.trained_model
    if trained is None:
        if choice.lora_weight is not None:
            return [InvalidValue("lora_weight", f"needs a {TRAINED_MODEL_FIELD}")]
        return []
    try:
        trained.check_usable_by(choice.user_id)
    except InvalidValue as refused:
        return [refused]
    if trained.base_model_id != choice.model.id:
        return [
            InvalidValue(
                TRAINED_MODEL_FIELD,
                f"trained model {trained.id} was trained on another base model than "
                f"provider model {choice.model.id} of this request",
            )
        ]
    return []


def _lora_weight(choice: Choice, trained: TrainedModel) -> tuple[float, list[FieldError]]:
    field, value = "lora_weight", choice.lora_weight
    if value is None:
        field, value = "input_metadata.lora_weights", choice.input_metadata.get("lora_weights")
        if isinstance(value, dict):
            key = str(trained.id)
            field, value = f"{field}.{key}", value.get(key, value.get(trained.id))
    if value is None:
        return DEFAULT_LORA_WEIGHT, []
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not math.isfinite(value) or not 0 <= value <= MAX_LORA_WEIGHT:
        return DEFAULT_LORA_WEIGHT, [
            InvalidValue(field, f"must be a number from 0 to {MAX_LORA_WEIGHT:g}")
        ]
    return float(value), []


def lora_use(choice: Choice) -> tuple[LoraUse | None, list[FieldError]]:
    """The trained model the jobs apply, and the errors of its weight."""
    trained = choice.trained_model
    if trained is None:
        return None, []
    weight, errors = _lora_weight(choice, trained)
    lora = LoraUse(
        trained_model_id=trained.id,
        trigger_word=trained.trigger_word,
        weights_url=trained.weights_url,
        weight=weight,
    )
    return lora, errors
