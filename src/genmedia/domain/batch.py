"""Batches: a generation session of several reference images × N images each (SPEC GEN-7;
seed 003 §4 `photo_generation_batches`).

A batch is one request per reference image, that image its input, all accepted (and their
credits reserved) together. Its status, images and credits are not stored: they follow its
requests and the images they made as they are now (`batch_progress`), as a request's
follow its jobs.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.errors import NotFound
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


@attrs.frozen
class Made:
    """The images a request made (its outputs' media rows, which outlive its jobs), and when
    the last of them was made."""

    images: int = 0
    last_at: datetime | None = None


@attrs.frozen(kw_only=True)
class BatchProgress:
    """A batch as its requests make it now: `images_done` counts the images made,
    `total_images` those and the ones still coming (a failed or cancelled job makes none)."""

    status: BatchStatus
    total_images: int
    images_done: int
    credits_used: int
    completed_at: datetime | None


def batch_progress(
    requests: Sequence[GenerationRequest], made: Mapping[int, Made]
) -> BatchProgress:
    """The progress of a batch with these requests (and their jobs) and the images each
    made (by request id), as they are now.

    Images are counted from their media, not from completed jobs: retention deletes
    finished jobs after a while (GEN-11), and a batch's totals must outlive them."""
    finished = all(request.status.is_terminal for request in requests)
    if not finished:
        status = BatchStatus.GENERATING
    elif any(request.status is Status.COMPLETED for request in requests):
        status = BatchStatus.COMPLETED
    else:
        status = BatchStatus.FAILED
    done = sum(made.get(request.id or 0, Made()).images for request in requests)
    coming = sum(not job.status.is_terminal for request in requests for job in request.jobs)
    return BatchProgress(
        status=status,
        total_images=done + coming,
        images_done=done,
        credits_used=sum(request.credits_charged for request in requests),
        completed_at=_finished_at(requests, made) if finished else None,
    )


def _finished_at(
    requests: Sequence[GenerationRequest], made: Mapping[int, Made]
) -> datetime | None:
    """When the last job of the requests ended; once retention deleted the jobs, when the
    last image was made, else when the requests last changed."""
    ends = [job.completed_at for request in requests for job in request.jobs if job.completed_at]
    ends = ends or [m.last_at for m in made.values() if m.last_at]
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
    made: dict[int, Made] = attrs.field(factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted_at: datetime | None = None

    def stored_as(self, id: int, **generated: Any) -> None:
        """Take the id the store gave the batch; its requests (not stored yet) join it."""
        super().stored_as(id, **generated)
        for request in self.requests:
            request.join_batch(id)

    def take_requests(
        self, requests: Sequence[GenerationRequest], made: Mapping[int, Made]
    ) -> None:
        """Hold those of the loaded requests that are this batch's, by id (the order of the
        reference images), and the images each made."""
        mine = [request for request in requests if request.batch_id == self.id]
        self.requests = sorted(mine, key=lambda request: request.id or 0)
        self.made = {r.id or 0: made[r.id or 0] for r in self.requests if r.id in made}

    @property
    def progress(self) -> BatchProgress:
        """Where the batch stands, from its requests and their images as loaded."""
        return batch_progress(self.requests, self.made)

    @property
    def request_ids(self) -> list[int]:
        """The ids of its requests, in the order of the reference images."""
        return [request.id or 0 for request in self.requests]

    def check_seen_by(self, user_id: int) -> None:
        """Raise NotFound unless this is a live batch of the user's."""
        if self.user_id != user_id or self.deleted_at is not None:
            raise NotFound("batch", self.id)
