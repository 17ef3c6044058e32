"""Bodies of the Generation routes (API.md, Generation)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from genmedia.application.generation.requests import Estimate
from genmedia.domain.catalog import MediaCategory
from genmedia.domain.job import Job
from genmedia.domain.media import Media, MediaKind
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status

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
    started_at: datetime | None
    completed_at: datetime | None
    credits_used: int


@attrs.frozen(kw_only=True)
class RequestView:
    """A request with its jobs; `credits_charged` counts its completed jobs."""

    id: int
    status: Status
    feature_id: int
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


@attrs.frozen(kw_only=True)
class RequestMediaView:
    """A media a request made (API.md's media object); `url` reads it for a limited time."""

    id: int
    kind: MediaKind
    media_type: MediaCategory
    url: str
    blurhash: str
    width: int
    height: int
    file_size: int
    file_format: str
    original_filename: str | None
    original_media_id: int | None
    request_id: int | None
    job_id: int | None
    is_favorite: bool
    download_count: int
    created_at: datetime | None


@attrs.frozen(kw_only=True)
class RequestDetailView(RequestView):
    """A request with its jobs and the media they made."""

    media: list[RequestMediaView]


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
        started_at=job.started_at,
        completed_at=job.completed_at,
        credits_used=job.credits_used,
    )


def _request_fields(request: GenerationRequest) -> dict[str, Any]:
    names = [f.name for f in attrs.fields(RequestView) if f.name not in ("id", "jobs")]
    fields = {name: getattr(request, name) for name in names}
    return {**fields, "id": request.id or 0, "jobs": [job_view(j) for j in request.jobs]}


def request_view(request: GenerationRequest) -> RequestView:
    """A request and its jobs."""
    return RequestView(**_request_fields(request))


def media_view(media: Media, link: Link) -> RequestMediaView:
    """A media with a time-limited URL."""
    info = media.info
    return RequestMediaView(
        id=media.id or 0,
        kind=media.kind,
        media_type=media.media_type,
        url=link(media),
        blurhash=info.blurhash,
        width=info.width,
        height=info.height,
        file_size=info.file_size,
        file_format=info.file_format,
        original_filename=media.original_filename,
        original_media_id=media.original_media_id,
        request_id=media.request_id,
        job_id=media.job_id,
        is_favorite=media.is_favorite,
        download_count=media.download_count,
        created_at=media.created_at,
    )


def request_detail_view(
    found: tuple[GenerationRequest, list[Media]], link: Link
) -> RequestDetailView:
    """A request, its jobs and its media."""
    request, media = found
    return RequestDetailView(
        **_request_fields(request), media=[media_view(item, link) for item in media]
    )
