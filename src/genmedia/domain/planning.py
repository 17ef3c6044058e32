"""Turning a choice into a validated, priced request with its jobs (SPEC GEN-2, GEN-3, GEN-6)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import attrs

from genmedia.domain import pricing
from genmedia.domain.catalog import Feature
from genmedia.domain.errors import (
    FieldError,
    InvalidAttachment,
    InvalidPrompt,
    InvalidValue,
    UnknownOption,
    raise_collected,
)
from genmedia.domain.job import Job
from genmedia.domain.media import Media
from genmedia.domain.prompt import compose_prompt
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.request import GenerationRequest
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


def _check_catalog(choice: Choice) -> list[FieldError]:
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


def _check_prompt(choice: Choice) -> list[FieldError]:
    template, prompt = choice.template, choice.user_prompt.strip()
    if template is not None and not template.allow_user_custom_prompt and prompt:
        return [InvalidPrompt("user_prompt", "this template does not take a custom prompt")]
    if template is None and not prompt:
        return [InvalidPrompt("user_prompt", "is required without a template")]
    return []


def _check_attachments(choice: Choice) -> list[FieldError]:
    slots = image_slots(choice.template, choice.model)
    ids = {name: [m.id or 0 for m in media] for name, media in choice.attachments.items()}
    errors = check_attachments(slots, ids)
    for name, media in choice.attachments.items():
        for item in media:
            if item.user_id != choice.user_id or item.is_deleted:
                errors.append(InvalidAttachment(f"media_ids.{name}", f"media {item.id} not found"))
    return errors


def _metadata(choice: Choice, seed: int) -> tuple[dict[str, Any], list[FieldError]]:
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


def _check_trained_model(choice: Choice) -> list[FieldError]:
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


def _lora(choice: Choice) -> tuple[dict[str, Any] | None, list[FieldError]]:
    """The trained model's block of the provider payload, and the errors of its weight."""
    trained = choice.trained_model
    if trained is None:
        return None, []
    weight, errors = _lora_weight(choice, trained)
    block = {
        "trained_model_id": trained.id,
        "trigger_word": trained.trigger_word,
        "weights_url": trained.weights_url,
        "weight": weight,
    }
    return block, errors


def plan_request(choice: Choice, *, seed: int, now: datetime) -> GenerationRequest:
    """Validate a choice and build the request and its jobs; raise every error found at once.

    `seed` is used only when the user gave none; job i gets seed + i so each variation differs.
    """
    template, model, feature = choice.template, choice.model, choice.feature
    errors = _check_catalog(choice) + _check_prompt(choice) + _check_attachments(choice)
    errors += _check_trained_model(choice)
    if template is not None:
        options, option_errors = template.choose_options(choice.selection)
    else:
        options = []
        option_errors = [
            UnknownOption(f"selected_options.{name}", "no template, so no options")
            for name in choice.selection
        ]
    meta, meta_errors = _metadata(choice, seed)
    lora, lora_errors = _lora(choice)
    template_params = template.template_data.get("params", {}) if template else {}
    params = model.resolve_params(template_params, *(o.params for o in options), choice.params)
    final_prompt = compose_prompt(
        feature.system_prompt,
        template.template_prompt if template else None,
        (o.prompt_fragment for o in options),
        _user_part(choice),
    )
    batch = meta["batch_size"] if not meta_errors else 1
    errors += option_errors + meta_errors + lora_errors
    errors += model.check_params(params, batch, final_prompt)
    raise_collected(errors)
    return _build(choice, params, meta, final_prompt, now, lora)


def _user_part(choice: Choice) -> str:
    """The user's prompt, led by the trained model's trigger word when one is used."""
    trained = choice.trained_model
    return trained.prompt_with_trigger_word(choice.user_prompt) if trained else choice.user_prompt


def _build(
    choice: Choice,
    params: dict[str, Any],
    meta: dict[str, Any],
    final_prompt: str,
    now: datetime,
    lora: dict[str, Any] | None,
) -> GenerationRequest:
    template, model, feature = choice.template, choice.model, choice.feature
    inputs = [
        {
            "slot": slot,
            "media_id": m.id,
            "storage_path": m.storage_path,
            "file_format": m.info.file_format,
        }
        for slot, media in choice.attachments.items()
        for m in media
    ]
    payload: dict[str, Any] = {
        "provider": model.provider,
        "model": model.model_slug,
        "endpoint": model.endpoint,
        "prompt": final_prompt,
        "negative_prompt": meta.get("negative_prompt"),
        "params": params,
        "seed": meta["seed"],
        "inputs": inputs,
    }
    if lora is not None:
        payload["lora"] = lora
    unit = pricing.unit_cost(feature, template, model, choice.trained_model)
    jobs = [
        Job(
            user_id=choice.user_id,
            project_id=choice.project_id,
            feature_id=feature.id or 0,
            category=feature.category,
            index=i,
            priority=choice.priority,
            input_json={
                **payload,
                "seed": (meta["seed"] + i) % (MAX_SEED + 1),
                "index": i,
                "credits": unit,
            },
            created_at=now,
        )
        for i in range(meta["batch_size"])
    ]
    return GenerationRequest(
        user_id=choice.user_id,
        project_id=choice.project_id,
        feature_id=feature.id or 0,
        template_id=template.id if template else None,
        provider_model_id=model.id,
        trained_model_id=choice.trained_model.id if choice.trained_model else None,
        system_prompt=feature.system_prompt,
        template_prompt=template.template_prompt if template else None,
        user_prompt=choice.user_prompt,
        selected_options=template.resolved_selection(choice.selection) if template else {},
        user_custom_input={"user_prompt": choice.user_prompt} if choice.user_prompt else None,
        final_prompt=final_prompt,
        input_media_ids=[m.id or 0 for media in choice.attachments.values() for m in media],
        user_media_urls=[m.storage_path for media in choice.attachments.values() for m in media],
        input_metadata=meta,
        generation_params=payload,
        estimated_cost=unit * len(jobs),
        jobs=jobs,
        created_at=now,
        updated_at=now,
    )
