"""Bodies of the batch routes (API.md, Generation: batches; SPEC GEN-7)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.batch import BatchStatus, GenerationBatch
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status
from genmedia.entrypoints.http.presenters.generation import JobView, job_view


@attrs.frozen(kw_only=True)
class BatchRequestView:
    """One request of a batch: the images of one reference image."""

    id: int
    status: Status
    reference_media_id: int | None
    estimated_cost: int
    credits_charged: int
    jobs: list[JobView]


@attrs.frozen(kw_only=True)
class BatchView:
    """A batch; its status, images and credits follow its requests. `total_images` counts
    the images made and still coming (a failed or cancelled job makes none), `images_done`
    those made; `credits_used` what its completed jobs were charged."""

    id: int
    status: BatchStatus
    total_images: int
    images_done: int
    credits_reserved: int
    credits_used: int
    completed_at: datetime | None
    feature_id: int
    template_id: int | None
    trained_model_id: int | None
    reference_media_ids: list[int]
    images_per_reference: int
    selected_options: dict[str, Any]
    user_prompt: str
    request_ids: list[int]
    requests: list[BatchRequestView]
    created_at: datetime | None


def _request_view(request: GenerationRequest) -> BatchRequestView:
    return BatchRequestView(
        id=request.id or 0,
        status=request.status,
        reference_media_id=request.input_media_ids[0] if request.input_media_ids else None,
        estimated_cost=request.estimated_cost,
        credits_charged=request.credits_charged,
        jobs=[job_view(job) for job in request.jobs],
    )


def batch_view(batch: GenerationBatch) -> BatchView:
    """A batch with its requests, as the API shows it."""
    progress = batch.progress
    return BatchView(
        id=batch.id or 0,
        status=progress.status,
        total_images=progress.total_images,
        images_done=progress.images_done,
        credits_reserved=batch.credits_reserved,
        credits_used=progress.credits_used,
        completed_at=progress.completed_at,
        feature_id=batch.feature_id,
        template_id=batch.template_id,
        trained_model_id=batch.trained_model_id,
        reference_media_ids=list(batch.reference_media_ids),
        images_per_reference=batch.images_per_reference,
        selected_options=batch.selected_options,
        user_prompt=batch.user_prompt,
        request_ids=batch.request_ids,
        requests=[_request_view(request) for request in batch.requests],
        created_at=batch.created_at,
    )
