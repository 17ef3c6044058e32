"""Planning a batch: its reference images checked, and one request planned per reference
image, that image filling the template's image slot (SPEC GEN-3, GEN-7)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import attrs

from genmedia.domain.batch import FIELD, MAX_REFERENCES, PER_REFERENCE, GenerationBatch
from genmedia.domain.catalog import MediaCategory
from genmedia.domain.choice import DEFAULT_MAX_BATCH, MAX_SEED, Choice, image_slots
from genmedia.domain.errors import (
    DomainError,
    FieldError,
    InvalidInput,
    InvalidValue,
    raise_collected,
)
from genmedia.domain.media import Media
from genmedia.domain.planning import plan_request
from genmedia.domain.request import GenerationRequest


def check_references(
    choice: Choice, ids: Sequence[int], found: Mapping[int, Media], images_per_reference: int
) -> list[FieldError]:
    """The reference images must be 1 to MAX_REFERENCES distinct live images of the user's,
    fill the template's one image slot, and make 1 to DEFAULT_MAX_BATCH images each."""
    errors: list[FieldError] = []
    if not 1 <= len(ids) <= MAX_REFERENCES:
        errors.append(InvalidValue(FIELD, f"must name 1 to {MAX_REFERENCES} media"))
    if len(image_slots(choice.template, choice.model)) != 1:
        errors.append(InvalidValue(FIELD, "this template takes no single reference image"))
    for index, media_id in enumerate(ids):
        media = found.get(media_id)
        if media is None or not media.is_visible_to(choice.user_id):
            errors.append(InvalidValue(f"{FIELD}.{index}", f"media {media_id} not found"))
        elif media.media_type is not MediaCategory.IMAGE:
            errors.append(InvalidValue(f"{FIELD}.{index}", f"media {media_id} is not an image"))
        elif media_id in ids[:index]:
            errors.append(InvalidValue(f"{FIELD}.{index}", f"media {media_id} is named twice"))
    if not 1 <= images_per_reference <= DEFAULT_MAX_BATCH:
        errors.append(InvalidValue(PER_REFERENCE, f"must be from 1 to {DEFAULT_MAX_BATCH}"))
    if "batch_size" in choice.input_metadata:
        errors.append(
            InvalidValue("input_metadata.batch_size", f"is set by {PER_REFERENCE} in a batch")
        )
    return errors


def plan_batch(
    choice: Choice,
    ids: Sequence[int],
    found: Mapping[int, Media],
    images_per_reference: int,
    *,
    seed: int,
    now: datetime,
) -> GenerationBatch:
    """Validate a batch and plan its requests, one per reference image (which fills the
    template's image slot), each of `images_per_reference` jobs; raise every error found.

    `choice` is what every request shares, without attachments; `found` the reference
    media that exist, by id. Request i's jobs take the seeds after request i - 1's,
    unless the user gave one.
    """
    raise_collected(check_references(choice, ids, found, images_per_reference))
    references = [found[media_id] for media_id in ids]
    slot = image_slots(choice.template, choice.model)[0].name
    meta = {**choice.input_metadata, "batch_size": images_per_reference}
    requests = [
        _plan(
            attrs.evolve(choice, attachments={slot: [media]}, input_metadata=meta),
            index,
            seed=(seed + index * images_per_reference) % (MAX_SEED + 1),
            now=now,
        )
        for index, media in enumerate(references)
    ]
    first = requests[0]
    return GenerationBatch(
        user_id=choice.user_id,
        project_id=choice.project_id,
        feature_id=choice.feature.id or 0,
        template_id=first.template_id,
        trained_model_id=first.trained_model_id,
        reference_media_ids=list(ids),
        images_per_reference=images_per_reference,
        selected_options=first.selected_options,
        user_prompt=choice.user_prompt,
        credits_reserved=sum(request.estimated_cost for request in requests),
        requests=requests,
        created_at=now,
    )


def _plan(choice: Choice, index: int, *, seed: int, now: datetime) -> GenerationRequest:
    """Plan one reference's request; its errors name the batch's fields, not a request's."""
    try:
        return plan_request(choice, seed=seed, now=now)
    except DomainError as refused:
        errors = [_renamed(error, index) for error in refused.field_errors()]
        if not errors:
            raise
        raise (errors[0] if len(errors) == 1 else InvalidInput(errors)) from None


def _renamed(error: FieldError, index: int) -> FieldError:
    if error.field == "input_metadata.batch_size":
        return type(error)(PER_REFERENCE, error.message)
    if error.field.startswith("media_ids"):
        return type(error)(f"{FIELD}.{index}", error.message)
    return error
