"""Plain-JSON views of requests, jobs and media for the CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from genmedia.application.ports import ObjectStorage
from genmedia.domain.job import Job
from genmedia.domain.media import Media
from genmedia.domain.provider_cost import cost_facts
from genmedia.domain.request import GenerationRequest


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def job_json(job: Job) -> dict[str, Any]:
    """A job as JSON."""
    return {
        "id": job.id,
        "status": job.status.value,
        "priority": job.priority,
        "attempts": job.attempts,
        "worker_id": job.worker_id,
        "error_code": job.error_code,
        "error_message": job.error_message,
        "started_at": _time(job.started_at),
        "completed_at": _time(job.completed_at),
        "credits_used": job.credits_used,
        **cost_facts(job.provider_cost),
    }


def media_json(media: Media, storage: ObjectStorage, expiry: int) -> dict[str, Any]:
    """A media as JSON, with a time-limited URL."""
    return {
        "id": media.id,
        "kind": media.kind.value,
        "media_type": media.media_type.value,
        "url": storage.url(media.storage_path, expiry),
        "storage_path": media.storage_path,
        "blurhash": media.info.blurhash,
        "width": media.info.width,
        "height": media.info.height,
        "file_size": media.info.file_size,
        "file_format": media.info.file_format,
        "original_media_id": media.original_media_id,
        "request_id": media.request_id,
        "job_id": media.job_id,
        "created_at": _time(media.created_at),
    }


def request_json(
    request: GenerationRequest, media: list[Media], storage: ObjectStorage, expiry: int
) -> dict[str, Any]:
    """A request with its jobs and media as one JSON object."""
    return {
        "request": {
            "id": request.id,
            "status": request.status.value,
            "feature_id": request.feature_id,
            "template_id": request.template_id,
            "final_prompt": request.final_prompt,
            "selected_options": request.selected_options,
            "input_metadata": request.input_metadata,
            "estimated_cost": request.estimated_cost,
            "credits_charged": request.credits_charged,
            "created_at": _time(request.created_at),
        },
        "jobs": [job_json(j) for j in request.jobs],
        "media": [media_json(m, storage, expiry) for m in media],
    }
