"""Ports of generation: requests with their jobs, single jobs, batches, and media."""

from __future__ import annotations

import abc
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from genmedia.domain.batch import GenerationBatch, Made
from genmedia.domain.job import Job
from genmedia.domain.media import Media, MediaKind
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status


class RequestRepository(abc.ABC):
    """Generation requests, each loaded and saved with all its jobs."""

    @abc.abstractmethod
    def add(self, request: GenerationRequest) -> GenerationRequest:
        """Insert a request and its jobs, giving each its id."""

    @abc.abstractmethod
    def get(self, request_id: int, *, for_update: bool = False) -> GenerationRequest:
        """The request with this id and its jobs, or NotFound.

        `for_update` locks the request until the transaction ends, for a load that will be
        saved: concurrent writers of one request then wait instead of losing the version race.
        """

    @abc.abstractmethod
    def list_for_user(
        self,
        user_id: int,
        *,
        status: Status | None = None,
        before_id: int | None = None,
        limit: int = 20,
        archived: bool = False,
    ) -> list[GenerationRequest]:
        """The user's live requests (with their jobs), optionally in one status, newest
        (highest id) first, those with an id below `before_id` when it is given; the
        archived ones instead of the others when `archived`."""

    @abc.abstractmethod
    def list_for_batches(self, batch_ids: Collection[int]) -> list[GenerationRequest]:
        """The requests (with their jobs) of these batches, deleted or not, by id."""

    @abc.abstractmethod
    def save(self, request: GenerationRequest) -> None:
        """Write back a loaded request; StaleAggregate if someone else changed it meanwhile."""

    @abc.abstractmethod
    def follow_all(
        self, request_ids: Collection[int], *, locked: bool = False
    ) -> dict[int, Status]:
        """Lock the requests (in id order) and make the status and charge of each follow its
        jobs as stored now; the statuses, by request id. With `locked`, this transaction
        holds their locks already (`JobRepository.save_completed` takes them).

        Call it after changing jobs in the same transaction: the lock makes concurrent
        changes to sibling jobs take turns, so the last of them sees them all.
        """

    def follow_jobs(self, request_id: int) -> Status:
        """`follow_all` for one request; its status."""
        return self.follow_all([request_id])[request_id]


class BatchRepository(abc.ABC):
    """Batches (SPEC GEN-7), without their requests: those are read from RequestRepository."""

    @abc.abstractmethod
    def add(self, batch: GenerationBatch) -> GenerationBatch:
        """Insert a batch, giving it its id (its requests join it; add them after it)."""

    @abc.abstractmethod
    def get(self, batch_id: int) -> GenerationBatch:
        """The batch with this id, or NotFound."""

    @abc.abstractmethod
    def list_for_user(
        self, user_id: int, *, before_id: int | None = None, limit: int = 20
    ) -> list[GenerationBatch]:
        """The user's live batches, newest (highest id) first, those with an id below
        `before_id` when it is given."""


class JobRepository(abc.ABC):
    """Single jobs, for the worker's steps, which change one job at a time.

    A job belongs to its request; whoever saves a job calls `requests.follow_all` afterwards
    in the same transaction (`JobClaims` starts the requests itself).
    """

    @abc.abstractmethod
    def get(self, job_id: int) -> Job:
        """The job with this id, or NotFound."""

    @abc.abstractmethod
    def lock(self, job_ids: Collection[int]) -> list[Job]:
        """Those of these jobs that exist, in id order, locked until the transaction ends."""

    @abc.abstractmethod
    def find(self, job_ids: Collection[int]) -> list[Job]:
        """Those of these jobs that exist, in id order, read without a lock."""

    @abc.abstractmethod
    def running_on_task(self, task_id: str) -> list[Job]:
        """The running jobs that a provider task with this id was recorded for, in id order
        (tasks of different providers may share an id), read without a lock."""

    @abc.abstractmethod
    def save_completed(self, jobs: Sequence[Job]) -> list[Job]:
        """Write the outcome of jobs that `Job.complete` moved on from processing (status,
        times, output metadata, credits, provider cost, error fields), each only where its
        row is still processing the same attempt, as one guarded write that locks the rows
        in id order, then the requests of those written; the jobs written, of those given.
        The jobs need not be loaded here: a worker completes the copy it claimed. Two
        attempts of one job may be given: only the one its row still runs is written."""

    @abc.abstractmethod
    def save_all(self, jobs: Sequence[Job]) -> None:
        """Write back jobs loaded here, only if each one's status and attempts are as loaded;
        StaleAggregate otherwise. Only the fields changed since loading are written."""

    def save(self, job: Job) -> None:
        """`save_all` for one job."""
        self.save_all([job])


class MediaRepository(abc.ABC):
    """Stored media."""

    @abc.abstractmethod
    def add(self, media: Media) -> Media:
        """Insert a media row, giving it its id; AlreadyExists if the job output already has
        one (the transaction goes on)."""

    @abc.abstractmethod
    def add_all(self, media: Sequence[Media]) -> None:
        """Insert media rows, giving each its id, when the caller's guarded statements in
        this transaction already rule out a replay (a repeat fails the transaction)."""

    @abc.abstractmethod
    def get(self, media_id: int) -> Media:
        """The media with this id, or NotFound."""

    @abc.abstractmethod
    def list_for_request(self, request_id: int) -> list[Media]:
        """The live media a request produced, by job and output index."""

    @abc.abstractmethod
    def made_by_requests(self, request_ids: Collection[int]) -> dict[int, Made]:
        """How many media (deleted or not) each of these requests made, and when the last
        was made, by request id; requests that made none are left out."""

    @abc.abstractmethod
    def list_for_user(
        self,
        user_id: int,
        *,
        limit: int,
        after: int | None = None,
        kind: MediaKind | None = None,
        favorite: bool | None = None,
        facts: Mapping[str, Any] | None = None,
    ) -> list[Media]:
        """Up to `limit` of the user's live media, newest (highest id) first, only those
        with an id below `after` when given, filtered by kind and favorite flag, and by
        the photo facts their metadata holds (`domain.photos.has_facts`)."""

    @abc.abstractmethod
    def set_favorite(self, media_id: int, user_id: int, favorite: bool) -> bool:
        """Mark or unmark the user's live media as a favorite; False if it is not theirs or
        not live."""

    @abc.abstractmethod
    def count_download(self, media_id: int, user_id: int) -> str | None:
        """Add one to the download count of the user's live media, in one statement; its
        storage path, or None if it is not theirs or not live."""

    @abc.abstractmethod
    def soft_delete(self, media_id: int, user_id: int, now: datetime) -> bool:
        """Mark the user's live media deleted at `now`; False if it is not theirs or not live."""

    @abc.abstractmethod
    def purgeable(self, before: datetime, limit: int) -> list[Media]:
        """Media soft-deleted before `before` whose object is not removed yet, oldest first."""

    @abc.abstractmethod
    def mark_purged(self, media_ids: Sequence[int], now: datetime) -> int:
        """Record that these deleted media lost their stored object; return how many."""
