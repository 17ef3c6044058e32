"""Fakes of the generation ports: requests, jobs and media."""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from genmedia.application.errors import StaleAggregate
from genmedia.application.ports import (
    JobRepository,
    MediaRepository,
    RequestRepository,
)
from genmedia.domain.batch import Made
from genmedia.domain.errors import (
    AlreadyExists,
    NotFound,
)
from genmedia.domain.job import Job
from genmedia.domain.media import Media, MediaKind
from genmedia.domain.photos import has_facts
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status, runs_lease
from tests.fakes.base import OUTCOME, FakeDatabase, Repo, keyed


class FakeRequestRepository(Repo, RequestRepository):
    def __init__(self, db: FakeDatabase, committed: FakeDatabase) -> None:
        super().__init__(db)
        self.committed = committed
        self.loaded: dict[int, int] = {}

    def add(self, request: GenerationRequest) -> GenerationRequest:
        request.stored_as(self._new_id())
        assert request.id is not None
        for job in request.jobs:
            job.stored_as(self._new_id(), request_id=request.id)
        self.db.requests[request.id] = request
        self.db.versions[request.id] = 1
        self.loaded[request.id] = 1
        return request

    def get(self, request_id: int, *, for_update: bool = False) -> GenerationRequest:
        if request_id not in self.db.requests:
            raise NotFound("request", request_id)
        self.loaded[request_id] = self.db.versions[request_id]
        return self.db.requests[request_id]

    def list_for_user(
        self,
        user_id: int,
        *,
        status: Status | None = None,
        before_id: int | None = None,
        limit: int = 20,
        archived: bool = False,
    ) -> list[GenerationRequest]:
        mine = [
            r
            for r in self.db.requests.values()
            if r.user_id == user_id and r.deleted_at is None and status in (None, r.status)
            if (r.archived_at is not None) == archived
        ]
        after = None if before_id is None else (before_id,)
        found = keyed(mine, lambda r: (r.id or 0,), after, limit, descending=True)
        for request in found:
            self.loaded[request.id or 0] = self.db.versions[request.id or 0]
        return found

    def list_for_batches(self, batch_ids: Collection[int]) -> list[GenerationRequest]:
        found = [r for r in self.db.requests.values() if r.batch_id in set(batch_ids)]
        for request in found:
            self.loaded[request.id or 0] = self.db.versions[request.id or 0]
        return sorted(found, key=lambda r: r.id or 0)

    def save(self, request: GenerationRequest) -> None:
        rid = request.id or 0
        if self.committed.versions.get(rid, 0) > self.loaded.get(rid, 0):
            raise StaleAggregate(f"request {rid} changed since it was loaded")
        for job in request.jobs:
            if job.id is None:
                job.stored_as(self._new_id(), request_id=rid)
        self.db.versions[rid] = self.loaded[rid] = self.loaded[rid] + 1

    def follow_all(
        self, request_ids: Collection[int], *, locked: bool = False
    ) -> dict[int, Status]:
        statuses = {}
        for request_id in sorted(set(request_ids)):
            if request_id not in self.db.requests:
                raise NotFound("request", request_id)
            request = self.db.requests[request_id]
            request.refresh_status()
            statuses[request_id] = request.status
        return statuses


def _find_job(db: FakeDatabase, job_id: int) -> Job | None:
    for request in db.requests.values():
        for job in request.jobs:
            if job.id == job_id:
                return job
    return None


def _guard(job: Job) -> tuple[Status, int, str | None]:
    """What a save of the job is guarded by: its status, lease and worker."""
    return job.status, job.lease, job.worker_id


class FakeJobRepository(Repo, JobRepository):
    """Jobs inside the fake's requests; a save is refused if the committed job moved on."""

    def __init__(self, db: FakeDatabase, committed: FakeDatabase) -> None:
        super().__init__(db)
        self.committed = committed
        # Per job, its status, lease and worker in the committed state as this unit of work
        # expects them: as loaded, or as they were before this unit of work wrote it.
        self.loaded: dict[int, tuple[Status, int, str | None]] = {}
        self.before_written: dict[int, tuple[Status, int, str | None]] = {}

    def get(self, job_id: int) -> Job:
        job = _find_job(self.db, job_id)
        if job is None:
            raise NotFound("job", job_id)
        self.loaded[job_id] = self.before_written.get(job_id, _guard(job))
        return job

    def lock(self, job_ids: Collection[int]) -> list[Job]:
        found = (_find_job(self.db, job_id) for job_id in sorted(set(job_ids)))
        return [self.get(job.id or 0) for job in found if job is not None]

    def find(self, job_ids: Collection[int]) -> list[Job]:
        return self.lock(job_ids)

    def running_on_task(self, task_id: str) -> list[Job]:
        running = [
            job.id or 0
            for request in self.db.requests.values()
            for job in request.jobs
            if job.status is Status.PROCESSING and job.provider_task_id == task_id
        ]
        return self.lock(running)

    def save_completed(self, jobs: Sequence[Job]) -> list[Job]:
        written = []
        for job in sorted(jobs, key=lambda job: (job.id or 0, job.lease)):
            if job.status is not Status.COMPLETED:
                raise ValueError("save_completed() takes jobs that Job.complete moved on")
            stored = _find_job(self.db, job.id or 0)
            if stored is None or not runs_lease(stored.status, stored.lease, job.lease):
                continue
            self.before_written.setdefault(job.id or 0, _guard(stored))
            for name in OUTCOME:
                setattr(stored, name, copy.deepcopy(getattr(job, name)))
            written.append(job)
        return written

    def save_all(self, jobs: Sequence[Job]) -> None:
        for job in jobs:
            job_id = job.id or 0
            if job_id not in self.loaded or _find_job(self.db, job_id) is not job:
                raise ValueError("save_all() takes jobs loaded through this unit of work")
            stored = _find_job(self.committed, job_id)
            if stored is not None and _guard(stored) != self.loaded[job_id]:
                raise StaleAggregate(f"job {job_id} changed since it was loaded")


class FakeMediaRepository(Repo, MediaRepository):
    def add(self, media: Media) -> Media:
        if media.job_id is not None and any(
            m.job_id == media.job_id and m.output_index == media.output_index
            for m in self.db.media.values()
        ):
            raise AlreadyExists("media", (media.job_id, media.output_index))
        media.stored_as(self._new_id())
        self.db.media[media.id or 0] = media
        return media

    def add_all(self, media: Sequence[Media]) -> None:
        for item in media:
            self.add(item)

    def get(self, media_id: int) -> Media:
        if media_id not in self.db.media:
            raise NotFound("media", media_id)
        return self.db.media[media_id]

    def list_for_request(self, request_id: int) -> list[Media]:
        found = [
            m for m in self.db.media.values() if m.request_id == request_id and not m.deleted_at
        ]
        return sorted(found, key=lambda m: (m.job_id or 0, m.output_index or 0))

    def made_by_requests(self, request_ids: Collection[int]) -> dict[int, Made]:
        made: dict[int, Made] = {}
        for media in sorted(self.db.media.values(), key=lambda m: m.id or 0):
            if media.request_id in set(request_ids):
                before = made.get(media.request_id, Made())
                made[media.request_id] = Made(before.images + 1, media.created_at)
        return made

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
        found = [
            m
            for m in self.db.media.values()
            if m.is_visible_to(user_id)
            and (after is None or (m.id or 0) < after)
            and kind in (None, m.kind)
            and favorite in (None, m.is_favorite)
            and has_facts(m.metadata, facts or {})
        ]
        return sorted(found, key=lambda m: -(m.id or 0))[:limit]

    def _live(self, media_id: int, user_id: int) -> Media | None:
        media = self.db.media.get(media_id)
        return media if media is not None and media.is_visible_to(user_id) else None

    def set_favorite(self, media_id: int, user_id: int, favorite: bool) -> bool:
        media = self._live(media_id, user_id)
        if media is not None:
            media.is_favorite = favorite
        return media is not None

    def count_download(self, media_id: int, user_id: int) -> str | None:
        media = self._live(media_id, user_id)
        if media is None:
            return None
        media.download_count += 1
        return media.storage_path

    def soft_delete(self, media_id: int, user_id: int, now: datetime) -> bool:
        media = self.db.media.get(media_id)
        if media is None or media.user_id != user_id or media.deleted_at is not None:
            return False
        media.deleted_at = now
        return True

    def purgeable(self, before: datetime, limit: int) -> list[Media]:
        due = [
            m
            for m in self.db.media.values()
            if m.deleted_at is not None and m.deleted_at < before and m.purged_at is None
        ]
        due.sort(key=lambda m: (m.deleted_at or before, m.id or 0))
        return copy.deepcopy(due[:limit])

    def mark_purged(self, media_ids: Sequence[int], now: datetime) -> int:
        marked = 0
        for media_id in media_ids:
            media = self.db.media.get(media_id)
            if media is not None and media.deleted_at is not None and media.purged_at is None:
                media.purged_at = now
                marked += 1
        return marked
