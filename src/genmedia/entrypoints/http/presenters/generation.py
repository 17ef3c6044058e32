"""Bodies of the Generation routes (API.md, Generation)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from genmedia.application.generation.requests import Estimate
from genmedia.application.media.library import LinkedMedia
from genmedia.domain.job import Job
from genmedia.domain.media import Media
from genmedia.domain.provider_cost import CostUnit
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status
from genmedia.entrypoints.http.presenters.media import MediaView, media_view

Link = Callable[[Media], str]
"""A time-limited URL of a media's stored object."""


@attrs.frozen(kw_only=True)
class EstimateView:
    """What a request would cost and make; nothing was stored or reserved."""

    estimated_cost: int
    final_prompt: str
    job_count: int


@attrs.frozen(kw_only=True)
class JobView:
    """One job of a request (one output, or one variation of a batch)."""

    id: int
    status: Status
    priority: int
    error_code: str | None
    error_message: str | None
    # For content_moderated: "input" or "output", where the provider said which it blocked.
    moderation_stage: str | None
    # The model that runs (or ran) the job: its fallback's, once it fell back from
    # `fell_back_from` ("provider/model").
    provider: str
    model: str
    fell_back_from: str | None
    started_at: datetime | None
    completed_at: datetime | None
    credits_used: int
    # What the provider said the job cost, in its own unit (`provider_cost_unit`: bfl_credits,
    # fal_billable_units, replicate_predict_seconds or usd); null where it said nothing.
    provider_cost: float | None
    provider_cost_unit: CostUnit | None


@attrs.frozen(kw_only=True)
class RequestView:
    """A request with its jobs; `credits_charged` counts its completed jobs."""

    id: int
    status: Status
    feature_id: int | None
    template_id: int | None
    user_prompt: str
    selected_options: dict[str, Any]
    final_prompt: str
    estimated_cost: int
    credits_charged: int
    trained_model_id: int | None
    project_id: int | None
    jobs: list[JobView]
    created_at: datetime | None
    archived_at: datetime | None


@attrs.frozen(kw_only=True)
class RequestDetailView(RequestView):
    """A request with its jobs and the media they made."""

    media: list[MediaView]


def estimate_view(estimate: Estimate) -> EstimateView:
    """An estimate as the API shows it."""
    return EstimateView(
        estimated_cost=estimate.estimated_cost,
        final_prompt=estimate.final_prompt,
        job_count=estimate.job_count,
    )


def job_view(job: Job) -> JobView:
    """A job as the API shows it."""
    return JobView(
        id=job.id or 0,
        status=job.status,
        priority=job.priority,
        error_code=job.error_code,
        error_message=job.error_message,
        moderation_stage=job.moderation_stage,
        provider=job.input.provider,
        model=job.input.model,
        fell_back_from=job.input.fell_back_from,
        started_at=job.started_at,
        completed_at=job.completed_at,
        credits_used=job.credits_used,
        provider_cost=job.provider_cost.amount if job.provider_cost else None,
        provider_cost_unit=job.provider_cost.unit if job.provider_cost else None,
    )


def _request_fields(request: GenerationRequest) -> dict[str, Any]:
    names = [f.name for f in attrs.fields(RequestView) if f.name not in ("id", "jobs")]
    fields = {name: getattr(request, name) for name in names}
    return {**fields, "id": request.id or 0, "jobs": [job_view(j) for j in request.jobs]}


def request_view(request: GenerationRequest) -> RequestView:
    """A request and its jobs."""
    return RequestView(**_request_fields(request))


def request_detail_view(
    found: tuple[GenerationRequest, list[Media]], link: Link
) -> RequestDetailView:
    """A request, its jobs and its media."""
    request, media = found
    return RequestDetailView(
        **_request_fields(request),
        media=[media_view(LinkedMedia(item, link(item))) for item in media],
    )
