"""Rows of generation requests and jobs, and what a request looked like when loaded."""

from __future__ import annotations

import copy
import weakref
from collections.abc import Sequence
from typing import Any

import attrs
import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import row_values
from genmedia.domain.job import Job
from genmedia.domain.job_input import JobInput
from genmedia.domain.provider_cost import ProviderCost
from genmedia.domain.request import GenerationRequest

_REQUEST_FIELDS = (
    "user_id", "project_id", "feature_id", "template_id", "provider_model_id", "trained_model_id",
    "batch_id", "system_prompt",
    "template_prompt", "user_prompt", "selected_options", "user_custom_input", "final_prompt",
    "input_media_ids", "user_media_urls", "input_metadata", "generation_params", "estimated_cost",
    "credits_charged", "status", "metadata", "deleted_at", "archived_at",
)  # fmt: skip

# A job's input (the input_json and provider columns) is written by a save only when it
# changed (a fallback), which `job_changes` sees by comparing the input objects.
_JOB_FIELDS = (
    "user_id", "project_id", "feature_id", "category", "status", "priority", "worker_id",
    "output_metadata", "error_code", "error_message", "attempts", "max_attempts", "lease",
    "started_at", "completed_at", "provider_task_id", "provider_polling_url",
    "legacy_provider_task_id", "provider_cost", "credits_used", "dispatched_at", "run_after",
    "deadline_at", "cancel_requested", "deleted_at",
)  # fmt: skip

_DOCUMENTS = ("selected_options", "input_metadata", "generation_params", "metadata")


def request_row(request: GenerationRequest) -> dict[str, Any]:
    """The column values a save may change (not the id, creation time or version)."""
    return {name: getattr(request, name) for name in _REQUEST_FIELDS}


def request_from_row(row: sa.Row[Any], jobs: Sequence[Job]) -> GenerationRequest:
    """The request a row holds, with its jobs."""
    values = {name: getattr(row, name) for name in _REQUEST_FIELDS}
    values.update({name: values[name] or {} for name in _DOCUMENTS})
    values["input_media_ids"] = list(row.input_media_ids or [])
    values["user_media_urls"] = list(row.user_media_urls or [])
    return GenerationRequest(
        id=row.id, created_at=row.created_at, updated_at=row.updated_at, jobs=list(jobs), **values
    )


def job_row(job: Job) -> dict[str, Any]:
    """The column values a save may change (not the id, request or index)."""
    return {name: getattr(job, name) for name in _JOB_FIELDS} | _cost_columns(job.provider_cost)


def _cost_columns(cost: ProviderCost | None) -> dict[str, Any]:
    """The provider cost's two columns: its amount and its unit."""
    if cost is None:
        return {"provider_cost": None, "provider_cost_unit": None}
    return {"provider_cost": cost.amount, "provider_cost_unit": cost.unit.value}


def job_snapshot(job: Job) -> dict[str, Any]:
    """The job's savable values, copied so that later changes to the job do not alter them."""
    row = job_row(job)
    row["output_metadata"] = copy.deepcopy(row["output_metadata"])
    row["input"] = job.input
    return row


def job_changes(job: Job, before: dict[str, Any]) -> dict[str, Any]:
    """The savable values that differ from a snapshot."""
    changed = {k: v for k, v in job_row(job).items() if before[k] != v}
    if job.input is not before["input"]:
        changed.update(input_json=job.input.as_document(), provider=job.input.provider)
    return changed


def new_job_row(request_id: int, job: Job) -> dict[str, Any]:
    """The column values that insert a job; the database stamps its creation time."""
    return {
        "request_id": request_id,
        "job_index": job.index,
        "retry_of": job.retry_of,
        "input_json": job.input.as_document(),
        "provider": job.input.provider,
        **job_row(job),
    }


def job_from_row(row: sa.Row[Any]) -> Job:
    """The job a row holds."""
    columns = row_values(row)
    fields = {name: columns[name] for name in _JOB_FIELDS}
    fields["provider_cost"] = ProviderCost.stored(
        fields["provider_cost"], columns["provider_cost_unit"]
    )
    return Job(
        id=columns["id"],
        request_id=columns["request_id"],
        index=columns["job_index"],
        retry_of=columns.get("retry_of"),
        input=JobInput.from_document(columns["input_json"] or {}),
        created_at=columns["created_at"],
        **fields,
    )


@attrs.frozen
class Loaded:
    """A request's version and its jobs' column values when last read or written."""

    version: int
    jobs: dict[int, dict[str, Any]]

    def changes(self, job: Job) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The job's changed columns, and its values as loaded (None if it was not)."""
        assert job.id is not None
        before = self.jobs.get(job.id)
        if before is None:
            return job_row(job), None
        return job_changes(job, before), before


class LoadedRequests:
    """What each request object looked like when loaded; kept off the domain objects.

    Keyed by the object, not its id: two copies of one request loaded at different
    times carry different versions, and an object nobody holds is forgotten.
    """

    def __init__(self) -> None:
        self._seen: weakref.WeakKeyDictionary[GenerationRequest, Loaded] = (
            weakref.WeakKeyDictionary()
        )

    def remember(self, request: GenerationRequest, version: int) -> None:
        """Record the request as it is now, at this version."""
        jobs = {j.id: job_snapshot(j) for j in request.jobs if j.id is not None}
        self._seen[request] = Loaded(version, jobs)

    def get(self, request: GenerationRequest) -> Loaded | None:
        """What the request looked like when loaded, if it was loaded here."""
        return self._seen.get(request)


class LoadedJobs:
    """What each job object looked like when loaded or last saved, as LoadedRequests."""

    def __init__(self) -> None:
        self._seen: weakref.WeakKeyDictionary[Job, dict[str, Any]] = weakref.WeakKeyDictionary()

    def remember(self, job: Job) -> None:
        """Record the job as it is now."""
        self._seen[job] = job_snapshot(job)

    def get(self, job: Job) -> dict[str, Any] | None:
        """The job's values when loaded here, if it was."""
        return self._seen.get(job)
