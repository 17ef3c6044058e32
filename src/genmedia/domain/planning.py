"""Turning a choice into a validated, priced request with its jobs (SPEC GEN-2, GEN-3, GEN-6)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from genmedia.domain import pricing
from genmedia.domain.choice import (
    MAX_SEED,
    Choice,
    check_attachments_of,
    check_catalog,
    check_metadata,
    check_prompt,
    check_trained_model,
    lora_use,
)
from genmedia.domain.errors import UnknownOption, raise_collected
from genmedia.domain.job import Job
from genmedia.domain.job_input import FallbackModel, JobInput, LoraUse, SourceImage
from genmedia.domain.photos import photo_facts
from genmedia.domain.prompt import compose_prompt
from genmedia.domain.request import GenerationRequest


def plan_request(choice: Choice, *, seed: int, now: datetime) -> GenerationRequest:
    """Validate a choice and build the request and its jobs; raise every error found at once.

    `seed` is used only when the user gave none; job i gets seed + i so each variation differs.
    """
    template, model, feature = choice.template, choice.model, choice.feature
    errors = check_catalog(choice) + check_prompt(choice) + check_attachments_of(choice)
    errors += check_trained_model(choice)
    if template is not None:
        options, option_errors = template.choose_options(choice.selection)
    else:
        options = []
        option_errors = [
            UnknownOption(f"selected_options.{name}", "no template, so no options")
            for name in choice.selection
        ]
    meta, meta_errors = check_metadata(choice, seed)
    lora, lora_errors = lora_use(choice)
    template_params = template.template_data.get("params", {}) if template else {}
    sources = (template_params, *(o.params for o in options), choice.params)
    params = model.resolve_params(*sources)
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
    first = _input(choice, params, meta, final_prompt, lora)
    first = attrs.evolve(first, fallback=_fallback(choice, sources, batch, final_prompt))
    return _build(choice, meta, first, now)


def _fallback(
    choice: Choice, sources: tuple[dict[str, Any], ...], batch: int, prompt: str
) -> FallbackModel | None:
    """The jobs' fallback (`domain.fallback`): the legacy model, if it is active, is not the
    primary, takes the request's parameters and attachments as the primary's checks would,
    and no trained model is used (a LoRA is trained for its base model alone); otherwise
    the jobs have none."""
    legacy = choice.fallback_model
    if legacy is None or not legacy.is_active or legacy.id == choice.model.id:
        return None
    if choice.trained_model is not None or check_attachments_of(attrs.evolve(choice, model=legacy)):
        return None
    params = legacy.resolve_params(*sources)
    if legacy.check_params(params, batch, prompt):
        return None
    return FallbackModel(
        provider=legacy.provider, model=legacy.model_slug, endpoint=legacy.endpoint, params=params
    )


def _user_part(choice: Choice) -> str:
    """The user's prompt, led by the trained model's trigger word when one is used."""
    trained = choice.trained_model
    return trained.prompt_with_trigger_word(choice.user_prompt) if trained else choice.user_prompt


def _input(
    choice: Choice, params: dict[str, Any], meta: dict[str, Any], prompt: str, lora: LoraUse | None
) -> JobInput:
    """The input of the request's first job; job i differs in its index and seed. Its
    outputs keep the photo facts of its options and of the image it starts from."""
    images = tuple(
        SourceImage(
            slot=slot, media_id=m.id, storage_path=m.storage_path, file_format=m.info.file_format
        )
        for slot, media in choice.attachments.items()
        for m in media
    )
    model, template = choice.model, choice.template
    selection = template.resolved_selection(choice.selection) if template else {}
    return JobInput(
        provider=model.provider,
        model=model.model_slug,
        endpoint=model.endpoint,
        prompt=prompt,
        negative_prompt=meta.get("negative_prompt"),
        params=params,
        seed=meta["seed"],
        images=images,
        lora=lora,
        credits=pricing.unit_cost(choice.feature, choice.template, model, choice.trained_model),
        media_facts=photo_facts(selection, images[0].media_id if images else None),
    )


def _job(choice: Choice, first: JobInput, index: int, now: datetime) -> Job:
    seed = (first.seed + index) % (MAX_SEED + 1)
    return Job(
        user_id=choice.user_id,
        project_id=choice.project_id,
        feature_id=choice.feature.id or 0,
        category=choice.feature.category,
        index=index,
        priority=choice.priority,
        input=attrs.evolve(first, seed=seed, index=index),
        created_at=now,
    )


def _build(
    choice: Choice, meta: dict[str, Any], first: JobInput, now: datetime
) -> GenerationRequest:
    template, feature = choice.template, choice.feature
    jobs = [_job(choice, first, i, now) for i in range(meta["batch_size"])]
    media = [m for items in choice.attachments.values() for m in items]
    return GenerationRequest(
        user_id=choice.user_id,
        project_id=choice.project_id,
        feature_id=feature.id or 0,
        template_id=template.id if template else None,
        provider_model_id=choice.model.id,
        trained_model_id=choice.trained_model.id if choice.trained_model else None,
        system_prompt=feature.system_prompt,
        template_prompt=template.template_prompt if template else None,
        user_prompt=choice.user_prompt,
        selected_options=template.resolved_selection(choice.selection) if template else {},
        user_custom_input={"user_prompt": choice.user_prompt} if choice.user_prompt else None,
        final_prompt=first.prompt,
        input_media_ids=[m.id or 0 for m in media],
        user_media_urls=[m.storage_path for m in media],
        input_metadata=meta,
        generation_params=first.payload(),
        estimated_cost=first.credits * len(jobs),
        jobs=jobs,
        created_at=now,
        updated_at=now,
    )
