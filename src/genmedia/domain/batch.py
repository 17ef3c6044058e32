"""Batches: a generation session of several reference images × N images each (SPEC GEN-7;
seed 003 §4 `photo_generation_batches`).

A batch is one request per reference image, that image its input, all accepted (and their
credits reserved) together. Its status, images and credits are not stored: they follow its
requests as they are now (`batch_progress`), as a request's follow its jobs.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.catalog import MediaCategory
from genmedia.domain.choice import DEFAULT_MAX_BATCH, MAX_SEED, Choice, image_slots
from genmedia.domain.errors import (
    DomainError,
    FieldError,
    InvalidInput,
    InvalidValue,
    NotFound,
    raise_collected,
)
from genmedia.domain.media import Media
from genmedia.domain.planning import plan_request
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status
from genmedia.domain.stored import Stored

FIELD = "reference_media_ids"
PER_REFERENCE = "images_per_reference"
DEFAULT_IMAGES_PER_REFERENCE = 4
MAX_REFERENCES = 20


class BatchStatus(enum.StrEnum):
    """Where a batch stands: generating until every request finished, then completed if
    any image was made, else failed."""

    GENERATING = "generating"
    COMPLETED = "completed"
    FAILED = "failed"


@attrs.frozen(kw_only=True)
class BatchProgress:
    """A batch as its requests make it now: `total_images` counts the images made and those
    still coming (a failed or cancelled job makes none), `images_done` those made."""

    status: BatchStatus
    total_images: int
    images_done: int
    credits_used: int
    completed_at: datetime | None


def batch_progress(requests: Sequence[GenerationRequest]) -> BatchProgress:
    """The progress of a batch with these requests (and their jobs), as they are now."""
    jobs = [job for request in requests for job in request.jobs]
    lost = (Status.FAILED, Status.CANCELLED)
    finished = all(request.status.is_terminal for request in requests)
    if not finished:
        status = BatchStatus.GENERATING
    elif any(request.status is Status.COMPLETED for request in requests):
        status = BatchStatus.COMPLETED
    else:
        status = BatchStatus.FAILED
    return BatchProgress(
        status=status,
        total_images=sum(job.status not in lost for job in jobs),
        images_done=sum(job.status is Status.COMPLETED for job in jobs),
        credits_used=sum(request.credits_charged for request in requests),
        completed_at=_finished_at(requests) if finished else None,
    )


def _finished_at(requests: Sequence[GenerationRequest]) -> datetime | None:
    """When the last job of the requests ended (their last change, for jobs that kept none)."""
    ends = [job.completed_at for request in requests for job in request.jobs if job.completed_at]
    ends = ends or [request.updated_at for request in requests if request.updated_at]
    return max(ends, default=None)


@attrs.define(slots=False, eq=False, kw_only=True)
class GenerationBatch(Stored):
    """A user's batch: what was asked once for every reference image, and its requests (one
    per reference image, in their order) when loaded with them."""

    id: int | None = None
    user_id: int
    project_id: int | None = None
    feature_id: int
    template_id: int | None = None
    trained_model_id: int | None = None
    reference_media_ids: list[int] = attrs.field(factory=list)
    images_per_reference: int = DEFAULT_IMAGES_PER_REFERENCE
    selected_options: dict[str, Any] = attrs.field(factory=dict)
    user_prompt: str = ""
    credits_reserved: int = 0
    requests: list[GenerationRequest] = attrs.field(factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted_at: datetime | None = None

    def stored_as(self, id: int, **generated: Any) -> None:
        """Take the id the store gave the batch; its requests (not stored yet) join it."""
        super().stored_as(id, **generated)
        for request in self.requests:
            request.join_batch(id)

    def take_requests(self, requests: Sequence[GenerationRequest]) -> None:
        """Hold those of the loaded requests that are this batch's, by id (the order of the
        reference images)."""
        mine = [request for request in requests if request.batch_id == self.id]
        self.requests = sorted(mine, key=lambda request: request.id or 0)

    @property
    def progress(self) -> BatchProgress:
        """Where the batch stands, from its requests as loaded."""
        return batch_progress(self.requests)

    @property
    def request_ids(self) -> list[int]:
        """The ids of its requests, in the order of the reference images."""
        return [request.id or 0 for request in self.requests]

    def check_seen_by(self, user_id: int) -> None:
        """Raise NotFound unless this is a live batch of the user's."""
        if self.user_id != user_id or self.deleted_at is not None:
            raise NotFound("batch", self.id)


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
        feature_id=first.feature_id,
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
