"""Fakes of the operations ports: retention, statistics and idempotency keys."""

from __future__ import annotations

from datetime import datetime

import attrs

from genmedia.application.pages import Key
from genmedia.application.ports import (
    AuditLog,
    IdempotencyKeys,
    RetentionRepository,
    StatsRepository,
)
from genmedia.domain.audit import AuditEntry
from genmedia.domain.holds import HoldStatus
from genmedia.domain.idempotency import IdempotencyKey, StoredAnswer
from genmedia.domain.scheduling import tier_of
from genmedia.domain.status import Status
from tests.fakes.base import Repo


class FakeRetentionRepository(Repo, RetentionRepository):
    def delete_finished_jobs(self, before: datetime, limit: int) -> int:
        held = {
            h.job_id for h in self.db.holds.values() if h.status is HoldStatus.PENDING and h.job_id
        }
        doomed = [
            (j.completed_at, j.id or 0, r)
            for r in self.db.requests.values()
            if all(j.status.is_terminal for j in r.jobs)
            for j in r.jobs
            if j.completed_at is not None and j.completed_at < before and j.id not in held
        ]
        doomed.sort(key=lambda item: item[:2])
        for _, job_id, request in doomed[:limit]:
            request.jobs = [j for j in request.jobs if j.id != job_id]
            for media in self.db.media.values():
                if media.job_id == job_id:
                    media.job_id = None
            for hold in self.db.holds.values():
                if hold.job_id == job_id:
                    hold.job_id = None
        return len(doomed[:limit])

    def archive_requests(self, before: datetime, now: datetime, limit: int) -> int:
        doomed = sorted(
            (r for r in self.db.requests.values() if r.is_archivable(before)),
            key=lambda r: (r.created_at, r.id),
        )[:limit]
        for request in doomed:
            request.archived_at = now
            self.db.versions[request.id or 0] = self.db.versions.get(request.id or 0, 0) + 1
        return len(doomed)


class FakeStatsRepository(Repo, StatsRepository):
    def count_jobs_by_status(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for request in self.db.requests.values():
            for job in request.jobs:
                if job.deleted_at is None:
                    counts[job.status.value] = counts.get(job.status.value, 0) + 1
        return counts

    def pending_by_tier(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for request in self.db.requests.values():
            for job in request.jobs:
                if job.deleted_at is None and job.status is Status.PENDING:
                    counts[tier_of(job.priority)] = counts.get(tier_of(job.priority), 0) + 1
        return counts

    def waiting_on_provider(self) -> int:
        return sum(
            job.deleted_at is None
            and job.status is Status.PROCESSING
            and job.provider_task_id is not None
            for request in self.db.requests.values()
            for job in request.jobs
        )


class FakeIdempotencyKeys(Repo, IdempotencyKeys):
    def claim(self, key: IdempotencyKey, now: datetime) -> bool:
        first = self.db.idempotency.get((key.scope, key.key))
        if first is not None and not first.is_expired(now):
            return False
        self.db.idempotency[(key.scope, key.key)] = key
        return True

    def get(self, scope: str, key: str) -> IdempotencyKey | None:
        return self.db.idempotency.get((scope, key))

    def answer(self, scope: str, key: str, answer: StoredAnswer) -> None:
        first = self.db.idempotency[(scope, key)]
        if first.answer is None:
            self.db.idempotency[(scope, key)] = attrs.evolve(first, answer=answer)

    def release(self, scope: str, key: str) -> None:
        first = self.db.idempotency.get((scope, key))
        if first is not None and first.answer is None:
            del self.db.idempotency[(scope, key)]

    def delete_expired(self, now: datetime, limit: int) -> int:
        expired = [k for k, v in self.db.idempotency.items() if v.is_expired(now)][:limit]
        for k in expired:
            del self.db.idempotency[k]
        return len(expired)


class FakeAuditLog(Repo, AuditLog):
    def record(self, entry: AuditEntry) -> None:
        self.db.audit.append(attrs.evolve(entry, id=next(self.db.ids)))

    def page(self, after: Key | None, limit: int) -> list[AuditEntry]:
        newest = sorted(self.db.audit, key=lambda e: -(e.id or 0))
        return [e for e in newest if after is None or (e.id or 0) < after[0]][:limit]
