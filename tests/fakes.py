"""In-memory fakes of every port; each subclasses the port it fakes."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from genmedia.application.errors import ProviderError, StaleAggregate, UnsupportedMedia
from genmedia.application.operations.stats import tier_of
from genmedia.application.ports import (
    Clock,
    CouponRepository,
    CreditPackRepository,
    FeatureRepository,
    Finished,
    GiftCardRepository,
    HoldRepository,
    ImageProcessor,
    JobOutbox,
    JobQueue,
    JobRepository,
    MediaRepository,
    Metrics,
    ObjectStorage,
    Outcome,
    PasswordHasher,
    PaymentRepository,
    PendingJob,
    ProviderCall,
    ProviderGateway,
    ProviderModelRepository,
    ProviderOutput,
    RequestRepository,
    RetentionRepository,
    StatsRepository,
    TagRepository,
    TemplateRepository,
    TrainedModelRepository,
    UnitOfWork,
    UserRepository,
    Waiting,
    WalletRepository,
    WorkerRegistry,
)
from genmedia.domain.catalog import Feature, MediaCategory, Tag
from genmedia.domain.coupons import Coupon, CouponRedemption, already_redeemed
from genmedia.domain.errors import (
    AlreadyExists,
    AlreadyUsed,
    Expired,
    IdempotencyConflict,
    NotFound,
)
from genmedia.domain.gift_cards import GiftCard, GiftCardStatus
from genmedia.domain.holds import CreditHold, HoldStatus
from genmedia.domain.job import Job
from genmedia.domain.lots import CATEGORY_OF_KIND, CreditLot, LotCategory, plan_consumption
from genmedia.domain.media import ImageInfo, Media
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.purchases import CreditPack, Payment, PaymentProvider, PaymentStatus
from genmedia.domain.request import GenerationRequest
from genmedia.domain.scheduling import pick_dispatchable
from genmedia.domain.status import Status
from genmedia.domain.template import Template
from genmedia.domain.trained_model import TrainedModel, TrainedModelStatus
from genmedia.domain.user import User
from genmedia.domain.wallet import EntryType, LedgerEntry, Posting, Wallet


@attrs.define
class FakeDatabase:
    """The committed state shared by every FakeUnitOfWork made from it."""

    users: dict[int, User] = attrs.Factory(dict)
    features: dict[int, Feature] = attrs.Factory(dict)
    tags: dict[int, Tag] = attrs.Factory(dict)
    templates: dict[int, Template] = attrs.Factory(dict)
    models: dict[int, ProviderModel] = attrs.Factory(dict)
    trained_models: dict[int, TrainedModel] = attrs.Factory(dict)
    requests: dict[int, GenerationRequest] = attrs.Factory(dict)
    versions: dict[int, int] = attrs.Factory(dict)
    media: dict[int, Media] = attrs.Factory(dict)
    wallets: dict[int, Wallet] = attrs.Factory(dict)
    entries: list[LedgerEntry] = attrs.Factory(list)
    holds: dict[int, CreditHold] = attrs.Factory(dict)
    lots: dict[int, CreditLot] = attrs.Factory(dict)
    commerce: FakeCommerce = attrs.Factory(lambda: FakeCommerce())
    workers: dict[str, tuple[datetime, bool]] = attrs.Factory(dict)
    now: datetime = datetime(2026, 1, 1, tzinfo=UTC)
    ids: itertools.count[int] = attrs.Factory(lambda: itertools.count(1))


# The fields `Job.complete` changes (what `save_completed` writes).
OUTCOME = (
    "status", "completed_at", "output_metadata", "credits_used", "provider_cost",
    "error_code", "error_message",
)  # fmt: skip


class _Repo:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def _new_id(self) -> int:
        return next(self.db.ids)


class FakeUserRepository(_Repo, UserRepository):
    def add(self, user: User) -> User:
        if self.get_by_email(user.email):
            raise AlreadyExists("user", user.email)
        user.id = self._new_id()
        self.db.users[user.id] = user
        return user

    def get(self, user_id: int) -> User:
        if user_id not in self.db.users:
            raise NotFound("user", user_id)
        return self.db.users[user_id]

    def get_by_email(self, email: str) -> User | None:
        return next((u for u in self.db.users.values() if u.email == email), None)


class FakeFeatureRepository(_Repo, FeatureRepository):
    def add(self, feature: Feature) -> Feature:
        feature.id = self._new_id()
        self.db.features[feature.id] = feature
        return feature

    def get(self, feature_id: int) -> Feature:
        if feature_id not in self.db.features:
            raise NotFound("feature", feature_id)
        return self.db.features[feature_id]

    def get_by_name(self, name: str) -> Feature | None:
        return next((f for f in self.db.features.values() if f.name == name), None)

    def list_active(self, category: MediaCategory | None = None) -> list[Feature]:
        found = [f for f in self.db.features.values() if f.is_usable]
        found = [f for f in found if category is None or f.category is category]
        return sorted(found, key=lambda f: (f.order_index, f.id or 0))


class FakeTagRepository(_Repo, TagRepository):
    def add(self, tag: Tag) -> Tag:
        if self.get_by_name(tag.name):
            raise AlreadyExists("tag", tag.name)
        tag.id = self._new_id()
        self.db.tags[tag.id] = tag
        return tag

    def get_by_name(self, name: str) -> Tag | None:
        return next((t for t in self.db.tags.values() if t.name == name), None)

    def list(self) -> list[Tag]:
        return sorted(self.db.tags.values(), key=lambda t: (t.sort_order, t.id or 0))


class FakeTemplateRepository(_Repo, TemplateRepository):
    def add(self, template: Template) -> Template:
        if self.get_by_slug(template.slug):
            raise AlreadyExists("template", template.slug)
        template.id = self._new_id()
        self.db.templates[template.id] = template
        return template

    def get(self, template_id: int) -> Template:
        if template_id not in self.db.templates:
            raise NotFound("template", template_id)
        return self.db.templates[template_id]

    def get_by_slug(self, slug: str) -> Template | None:
        return next((t for t in self.db.templates.values() if t.slug == slug), None)

    def list_active(self, feature_id: int | None = None) -> list[Template]:
        found = [t for t in self.db.templates.values() if t.is_usable]
        return [t for t in found if feature_id is None or t.feature_id == feature_id]


class FakeProviderModelRepository(_Repo, ProviderModelRepository):
    def add(self, model: ProviderModel) -> ProviderModel:
        if self.get_by_slug(model.model_slug):
            raise AlreadyExists("provider model", model.model_slug)
        model.id = self._new_id()
        self.db.models[model.id] = model
        return model

    def get(self, model_id: int) -> ProviderModel:
        if model_id not in self.db.models:
            raise NotFound("provider model", model_id)
        return self.db.models[model_id]

    def get_by_slug(self, slug: str) -> ProviderModel | None:
        return next((m for m in self.db.models.values() if m.model_slug == slug), None)

    def get_default(self) -> ProviderModel | None:
        return next((m for m in self.db.models.values() if m.is_default and m.is_active), None)


class FakeTrainedModelRepository(_Repo, TrainedModelRepository):
    def _check_urls(self, model: TrainedModel) -> None:
        for other in self.db.trained_models.values():
            if other.id == model.id:
                continue
            for url in (model.weights_url, model.config_url):
                if url is not None and url in (other.weights_url, other.config_url):
                    raise AlreadyExists("trained model", url)

    def add(self, model: TrainedModel) -> TrainedModel:
        self._check_urls(model)
        model.id, model.created_at = self._new_id(), model.created_at or self.db.now
        self.db.trained_models[model.id] = copy.deepcopy(model)
        return model

    def get(self, model_id: int) -> TrainedModel:
        found = self.db.trained_models.get(model_id)
        if found is None or found.deleted_at is not None:
            raise NotFound("trained model", model_id)
        return copy.deepcopy(found)

    def save(self, model: TrainedModel) -> None:
        self.get(model.id or 0)
        self._check_urls(model)
        self.db.trained_models[model.id or 0] = copy.deepcopy(model)

    def _live(self) -> list[TrainedModel]:
        live = [m for m in self.db.trained_models.values() if m.deleted_at is None]
        return copy.deepcopy(sorted(live, key=lambda m: -(m.id or 0)))

    def list_for_owner(self, owner_id: int, limit: int = 50) -> list[TrainedModel]:
        return [m for m in self._live() if m.owner_id == owner_id][:limit]

    def list_public(self, limit: int = 50) -> list[TrainedModel]:
        done = TrainedModelStatus.COMPLETED
        return [m for m in self._live() if m.is_public and m.status is done][:limit]


class FakeRequestRepository(_Repo, RequestRepository):
    def __init__(self, db: FakeDatabase, committed: FakeDatabase) -> None:
        super().__init__(db)
        self.committed = committed
        self.loaded: dict[int, int] = {}

    def add(self, request: GenerationRequest) -> GenerationRequest:
        request.id = self._new_id()
        for job in request.jobs:
            job.id = self._new_id()
            job.request_id = request.id
        self.db.requests[request.id] = request
        self.db.versions[request.id] = 1
        self.loaded[request.id] = 1
        return request

    def get(self, request_id: int, *, for_update: bool = False) -> GenerationRequest:
        if request_id not in self.db.requests:
            raise NotFound("request", request_id)
        self.loaded[request_id] = self.db.versions[request_id]
        return self.db.requests[request_id]

    def get_by_job(self, job_id: int, *, for_update: bool = False) -> GenerationRequest:
        for request in self.db.requests.values():
            if any(j.id == job_id for j in request.jobs):
                return self.get(request.id or 0)
        raise NotFound("job", job_id)

    def save(self, request: GenerationRequest) -> None:
        rid = request.id or 0
        if self.committed.versions.get(rid, 0) > self.loaded.get(rid, 0):
            raise StaleAggregate(f"request {rid} changed since it was loaded")
        self.db.versions[rid] = self.loaded[rid] = self.loaded[rid] + 1

    def list_for_user(self, user_id: int, limit: int = 20) -> list[GenerationRequest]:
        mine = [r for r in self.db.requests.values() if r.user_id == user_id and not r.deleted_at]
        return sorted(mine, key=lambda r: -(r.id or 0))[:limit]

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


class FakeJobRepository(_Repo, JobRepository):
    """Jobs inside the fake's requests; a save is refused if the committed job moved on."""

    def __init__(self, db: FakeDatabase, committed: FakeDatabase) -> None:
        super().__init__(db)
        self.committed = committed
        # Per job, its status and attempts in the committed state as this unit of work
        # expects them: as loaded, or as they were before this unit of work wrote it.
        self.loaded: dict[int, tuple[Status, int]] = {}
        self.before_written: dict[int, tuple[Status, int]] = {}

    def get(self, job_id: int) -> Job:
        job = _find_job(self.db, job_id)
        if job is None:
            raise NotFound("job", job_id)
        self.loaded[job_id] = self.before_written.get(job_id, (job.status, job.attempts))
        return job

    def lock(self, job_ids: Collection[int]) -> list[Job]:
        found = (_find_job(self.db, job_id) for job_id in sorted(set(job_ids)))
        return [self.get(job.id or 0) for job in found if job is not None]

    def claim(
        self, job_ids: Collection[int], worker_id: str, now: datetime, timeout: timedelta
    ) -> list[Job]:
        jobs = [job for job in self.lock(job_ids) if job.status is Status.PENDING]
        for job in jobs:
            job.claim(worker_id, now, timeout)
        self.save_all(jobs)
        for request_id in sorted({job.request_id or 0 for job in jobs}):
            request = self.db.requests[request_id]
            if request.status is Status.PENDING:
                request.status = Status.PROCESSING
        return jobs

    def save_completed(self, jobs: Sequence[Job]) -> list[Job]:
        written = []
        for job in sorted(jobs, key=lambda job: (job.id or 0, job.attempts)):
            if job.status is not Status.COMPLETED:
                raise ValueError("save_completed() takes jobs that Job.complete moved on")
            stored = _find_job(self.db, job.id or 0)
            if stored is None or stored.status is not Status.PROCESSING:
                continue
            if stored.attempts != job.attempts:
                continue
            self.before_written.setdefault(job.id or 0, (stored.status, stored.attempts))
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
            if stored is not None and (stored.status, stored.attempts) != self.loaded[job_id]:
                raise StaleAggregate(f"job {job_id} changed since it was loaded")


class FakeMediaRepository(_Repo, MediaRepository):
    def add(self, media: Media, *, replay_checked: bool = False) -> Media:
        if media.job_id is not None and any(
            m.job_id == media.job_id and m.output_index == media.output_index
            for m in self.db.media.values()
        ):
            raise AlreadyExists("media", (media.job_id, media.output_index))
        media.id = self._new_id()
        self.db.media[media.id] = media
        return media

    def add_all(self, media: Sequence[Media]) -> None:
        for item in media:
            self.add(item, replay_checked=True)

    def get(self, media_id: int) -> Media:
        if media_id not in self.db.media:
            raise NotFound("media", media_id)
        return self.db.media[media_id]

    def list_for_request(self, request_id: int) -> list[Media]:
        found = [
            m for m in self.db.media.values() if m.request_id == request_id and not m.deleted_at
        ]
        return sorted(found, key=lambda m: (m.job_id or 0, m.output_index or 0))

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


class FakeRetentionRepository(_Repo, RetentionRepository):
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


class FakeStatsRepository(_Repo, StatsRepository):
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


class FakeJobOutbox(_Repo, JobOutbox):
    def _jobs(self) -> list[Any]:
        return [j for r in self.db.requests.values() for j in r.jobs]

    def pending(self, limit: int) -> list[PendingJob]:
        ready = [j for j in self._jobs() if j.status is Status.PENDING and j.dispatched_at is None]
        ready.sort(key=lambda j: (-j.priority, j.id))
        return [PendingJob(j.id, j.user_id, j.priority) for j in ready[:limit]]

    def mark_dispatched(self, job_ids: Sequence[int], now: datetime) -> int:
        marked = 0
        for job in self._jobs():
            if job.id in job_ids and job.status is Status.PENDING and job.dispatched_at is None:
                job.dispatched_at = now
                marked += 1
        return marked

    def claim_for_dispatch(
        self, now: datetime, limit: int, user_cap: int, max_in_flight: int
    ) -> list[PendingJob]:
        jobs = self._jobs()
        flying = [
            j
            for j in jobs
            if j.status is Status.PROCESSING or (j.status is Status.PENDING and j.dispatched_at)
        ]
        room = min(limit, max_in_flight - len(flying))
        due = [
            PendingJob(j.id, j.user_id, j.priority, j.run_after or j.created_at)
            for j in jobs
            if j.status is Status.PENDING
            and j.dispatched_at is None
            and (j.run_after is None or j.run_after <= now)
        ]
        counts: dict[int, int] = {}
        for j in flying:
            counts[j.user_id] = counts.get(j.user_id, 0) + 1
        chosen = pick_dispatchable(due, counts, user_cap, max(room, 0))
        self.mark_dispatched([c.job_id for c in chosen], now)
        return chosen

    def unmark(self, job_ids: Sequence[int]) -> int:
        jobs = [j for j in self._jobs() if j.id in job_ids and j.status is Status.PENDING]
        for job in jobs:
            job.dispatched_at = None
        return len(jobs)

    def redispatch_stale(self, dispatched_before: datetime) -> int:
        pending = [j for j in self._jobs() if j.status is Status.PENDING and j.dispatched_at]
        return self.unmark([j.id for j in pending if j.dispatched_at < dispatched_before])

    def orphaned(self, heartbeat_before: datetime, limit: int) -> list[int]:
        alive = {
            w
            for w, (seen, stopped) in self.db.workers.items()
            if not stopped and seen >= heartbeat_before
        }
        running = [
            j for j in self._jobs() if j.status is Status.PROCESSING and j.worker_id not in alive
        ]
        return [j.id for j in running][:limit]

    def count_unfinished(self, request_ids: Sequence[int]) -> int:
        return sum(
            1 for j in self._jobs() if j.request_id in request_ids and not j.status.is_terminal
        )


class FakeWalletRepository(_Repo, WalletRepository):
    """Wallets driven by the domain Wallet; the single-threaded fake needs no row guards."""

    def add(self, wallet: Wallet) -> Wallet:
        if wallet.user_id in self.db.wallets:
            raise AlreadyExists("wallet", wallet.user_id)
        self.db.wallets[wallet.user_id] = wallet
        return wallet

    def get(self, user_id: int) -> Wallet:
        if user_id not in self.db.wallets:
            raise NotFound("wallet", user_id)
        return self.db.wallets[user_id]

    def reserve(self, user_id: int, amount: int) -> None:
        self.get(user_id).reserve(amount)

    def release(self, user_id: int, amount: int) -> None:
        self.get(user_id).release(amount)

    def post(
        self,
        user_id: int,
        posting: Posting,
        *,
        release: int = 0,
        from_lot: int | None = None,
        lot_expires_at: datetime | None = None,
        replay_checked: bool = False,
    ) -> LedgerEntry:
        first = self.entry(posting.reference_id)
        if first is not None:
            if first.fingerprint != posting.fingerprint() or first.user_id != user_id:
                raise IdempotencyConflict(posting.reference_id)
            return first
        entry = self.get(user_id).post(posting, release=release)
        entry = attrs.evolve(entry, id=self._new_id(), created_at=self.db.now)
        self.db.entries.append(entry)
        if posting.type is EntryType.CREDIT:
            lot_id = self._new_id()
            category = CATEGORY_OF_KIND.get(posting.kind, LotCategory.ADMIN)
            self.db.lots[lot_id] = CreditLot(
                id=lot_id, user_id=user_id, category=category, amount=posting.amount,
                remaining=posting.amount, reference_id=posting.reference_id,
                expires_at=lot_expires_at, created_at=self.db.now,
            )  # fmt: skip
        else:
            self._consume(user_id, posting.amount, from_lot)
        return entry

    def post_all(
        self, user_id: int, postings: Sequence[Posting], *, release: int = 0
    ) -> list[LedgerEntry]:
        if any(posting.type is not EntryType.DEBIT for posting in postings):
            raise ValueError("post_all() takes debits only")
        if not postings and release:
            self.release(user_id, release)
        return [
            self.post(user_id, posting, release=release if i == 0 else 0, replay_checked=True)
            for i, posting in enumerate(postings)
        ]

    def _consume(self, user_id: int, amount: int, first: int | None) -> None:
        mine = [lot for lot in self.db.lots.values() if lot.user_id == user_id]
        chosen = [lot for lot in mine if lot.id == first and lot.remaining]
        plan = plan_consumption(chosen, min(amount, chosen[0].remaining)) if chosen else []
        rest = amount - sum(take for _, take in plan)
        plan += plan_consumption([lot for lot in mine if lot.id != first], rest) if rest else []
        for lot, take in plan:
            lot.remaining -= take

    def entries(
        self, user_id: int, limit: int = 20, before_id: int | None = None
    ) -> list[LedgerEntry]:
        mine = [
            e
            for e in self.db.entries
            if e.user_id == user_id and (before_id is None or (e.id or 0) < before_id)
        ]
        return sorted(mine, key=lambda e: -(e.id or 0))[:limit]

    def entry(self, reference_id: str) -> LedgerEntry | None:
        return next((e for e in self.db.entries if e.reference_id == reference_id), None)

    def lot(self, reference_id: str) -> CreditLot | None:
        return next(
            (lot for lot in self.db.lots.values() if lot.reference_id == reference_id), None
        )

    def expiring_lots(self, now: datetime, limit: int) -> list[CreditLot]:
        due = [
            lot
            for lot in self.db.lots.values()
            if lot.remaining and lot.expires_at and lot.expires_at < now
        ]
        return due[:limit]

    def now(self) -> datetime:
        return self.db.now


class FakeHoldRepository(_Repo, HoldRepository):
    def add(self, hold: CreditHold) -> CreditHold:
        if hold.job_id is not None and self.for_job(hold.job_id):
            raise AlreadyExists("hold", hold.job_id)
        hold.id = self._new_id()
        self.db.holds[hold.id] = copy.deepcopy(hold)
        return hold

    def add_all(self, holds: Sequence[CreditHold]) -> None:
        taken = [h.job_id for h in holds if h.job_id is not None and self.for_job(h.job_id)]
        if taken:
            raise AlreadyExists("hold", taken)
        for hold in holds:
            self.add(hold)

    def get(self, hold_id: int) -> CreditHold:
        if hold_id not in self.db.holds:
            raise NotFound("hold", hold_id)
        return copy.deepcopy(self.db.holds[hold_id])

    def for_job(self, job_id: int) -> CreditHold | None:
        found = next((h for h in self.db.holds.values() if h.job_id == job_id), None)
        return copy.deepcopy(found)

    def capture_for_jobs(self, costs: Mapping[int, int], now: datetime) -> dict[int, CreditHold]:
        captured = {}
        for job_id, cost in sorted(costs.items()):
            hold = self.for_job(job_id)
            if hold is None or hold.status is not HoldStatus.PENDING:
                continue
            hold.capture(min(cost, hold.amount), now)
            self.settle(hold)
            captured[job_id] = hold
        return captured

    def settle_all(self, holds: Sequence[CreditHold]) -> int:
        return sum(self.settle(hold) for hold in holds)

    def settle(self, hold: CreditHold) -> bool:
        stored = self.db.holds[hold.id or 0]
        if stored.status is not HoldStatus.PENDING:
            return False
        self.db.holds[hold.id or 0] = copy.deepcopy(hold)
        return True

    def due(self, now: datetime, limit: int) -> list[CreditHold]:
        pending = [
            h
            for h in self.db.holds.values()
            if h.status is HoldStatus.PENDING and h.expires_at < now
        ]
        return [copy.deepcopy(h) for h in pending[:limit]]


class FakeWorkerRegistry(_Repo, WorkerRegistry):
    def beat(self, worker_id: str, hostname: str, pid: int) -> None:
        self.db.workers[worker_id] = (self.db.now, False)

    def stopped(self, worker_id: str) -> None:
        seen, _ = self.db.workers.get(worker_id, (self.db.now, False))
        self.db.workers[worker_id] = (seen, True)


class FakeUnitOfWork(UnitOfWork):
    """A unit of work over a deep copy of the committed state, written back on commit."""

    def __init__(self, db: FakeDatabase | None = None) -> None:
        self.db = db or FakeDatabase()
        self.commits = 0

    def __enter__(self) -> FakeUnitOfWork:
        self.work = copy.deepcopy(self.db)
        self.users = FakeUserRepository(self.work)
        self.features = FakeFeatureRepository(self.work)
        self.tags = FakeTagRepository(self.work)
        self.templates = FakeTemplateRepository(self.work)
        self.provider_models = FakeProviderModelRepository(self.work)
        self.trained_models = FakeTrainedModelRepository(self.work)
        self.requests = FakeRequestRepository(self.work, self.db)
        self.jobs = FakeJobRepository(self.work, self.db)
        self.media = FakeMediaRepository(self.work)
        self.retention = FakeRetentionRepository(self.work)
        self.stats = FakeStatsRepository(self.work)
        self.outbox = FakeJobOutbox(self.work)
        self.wallets = FakeWalletRepository(self.work)
        self.holds = FakeHoldRepository(self.work)
        self.workers = FakeWorkerRegistry(self.work)
        self.credit_packs = FakeCreditPackRepository(self.work)
        self.payments = FakePaymentRepository(self.work)
        self.coupons = FakeCouponRepository(self.work)
        self.gift_cards = FakeGiftCardRepository(self.work)
        return self

    def commit(self) -> None:
        for field in attrs.fields(FakeDatabase):
            setattr(self.db, field.name, getattr(self.work, field.name))
        self.work = copy.deepcopy(self.db)
        self.commits += 1

    def rollback(self) -> None:
        self.work = copy.deepcopy(self.db)


class FakeStorage(ObjectStorage):
    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.objects[key] = (data, content_type)

    def get(self, key: str) -> bytes:
        if key not in self.objects:
            raise NotFound("object", key)
        return self.objects[key][0]

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def exists(self, key: str) -> bool:
        return key in self.objects

    def url(self, key: str, expires_in: int) -> str:
        return f"fake://{key}?expires_in={expires_in}"


class FakeImageProcessor(ImageProcessor):
    """Reads a fake image: b"IMG:<format>:<w>x<h>:<anything>"."""

    def describe(self, data: bytes) -> ImageInfo:
        parts = data.split(b":")
        if len(parts) < 3 or parts[0] != b"IMG":
            raise UnsupportedMedia("not an image")
        width, height = (int(v) for v in parts[2].split(b"x"))
        return ImageInfo(
            file_format=parts[1].decode(),
            width=width,
            height=height,
            file_size=len(data),
            blurhash="LKO2?U%2Tw=w",
        )


def fake_image(call: ProviderCall, fmt: str = "png") -> bytes:
    """The bytes FakeProvider makes for a call."""
    width, height = call.params.get("width", 64), call.params.get("height", 64)
    return f"IMG:{fmt}:{width}x{height}:{call.prompt}:{call.seed}".encode()


class FakeProvider(ProviderGateway):
    """Answers at once, after `polls` waits, or with a scripted error per submit."""

    name = "fake"

    def __init__(self, polls: int = 0, errors: list[ProviderError] | None = None) -> None:
        self.polls = polls
        self.errors = list(errors or [])
        self.calls: list[ProviderCall] = []
        self.tasks: dict[str, tuple[ProviderCall, int]] = {}

    def submit(self, call: ProviderCall) -> Outcome:
        self.calls.append(call)
        if self.errors:
            raise self.errors.pop(0)
        if self.polls:
            self.tasks[f"t{call.job_id}"] = (call, self.polls)
            return Waiting(
                task_id=f"t{call.job_id}",
                polling_url=f"fake://t{call.job_id}",
                poll_after=0.5,
                provider_cost=0.02,
            )
        return Finished(outputs=(ProviderOutput(data=fake_image(call)),), provider_cost=0.01)

    def poll(self, task_id: str, polling_url: str | None) -> Outcome:
        call, left = self.tasks[task_id]
        if left > 1:
            self.tasks[task_id] = (call, left - 1)
            return Waiting(task_id=task_id, polling_url=polling_url, poll_after=0.5)
        return Finished(outputs=(ProviderOutput(url=f"fake://out/{task_id}"),))

    def fetch(self, url: str) -> bytes:
        task_id = url.rsplit("/", 1)[-1]
        return fake_image(self.tasks[task_id][0])


class FakeQueue(JobQueue):
    def __init__(self) -> None:
        self.runs: list[int] = []
        self.polls: list[tuple[int, float]] = []

    def send_runs(self, job_ids: Sequence[int]) -> None:
        self.runs.extend(job_ids)

    def send_poll(self, job_id: int, delay: float) -> None:
        self.polls.append((job_id, delay))


class FakeMetrics(Metrics):
    """Records what the pipeline reports."""

    def __init__(self) -> None:
        self.finished: list[tuple[str, str]] = []
        self.dispatched: list[str] = []
        self.errors: list[tuple[str, str]] = []

    def job_finished(self, status: str, provider: str, seconds: float) -> None:
        self.finished.append((status, provider))

    def job_dispatched(self, lag_seconds: float, tier: str) -> None:
        self.dispatched.append(tier)

    def provider_error(self, provider: str, code: str) -> None:
        self.errors.append((provider, code))


class FakeClock(Clock):
    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


class FakeHasher(PasswordHasher):
    def hash(self, password: str) -> str:
        return f"hashed:{password[::-1]}"

    def verify(self, password: str, hashed: str) -> bool:
        return hashed == self.hash(password)


@attrs.define
class FakeCommerce:
    """Credit packs, payments, coupons, redemptions and gift cards of a FakeDatabase."""

    packs: dict[int, CreditPack] = attrs.Factory(dict)
    payments: dict[int, Payment] = attrs.Factory(dict)
    coupons: dict[int, Coupon] = attrs.Factory(dict)
    redemptions: list[CouponRedemption] = attrs.Factory(list)
    cards: dict[int, GiftCard] = attrs.Factory(dict)


class FakeCreditPackRepository(_Repo, CreditPackRepository):
    def add(self, pack: CreditPack) -> CreditPack:
        if self.get_by_name(pack.name):
            raise AlreadyExists("credit pack", pack.name)
        pack.id = self._new_id()
        self.db.commerce.packs[pack.id] = copy.deepcopy(pack)
        return pack

    def get(self, pack_id: int) -> CreditPack:
        if pack_id not in self.db.commerce.packs:
            raise NotFound("credit pack", pack_id)
        return copy.deepcopy(self.db.commerce.packs[pack_id])

    def get_by_name(self, name: str) -> CreditPack | None:
        found = (p for p in self.db.commerce.packs.values() if p.name == name)
        return copy.deepcopy(next(found, None))

    def list_active(self) -> list[CreditPack]:
        active = [p for p in self.db.commerce.packs.values() if p.is_active]
        return copy.deepcopy(sorted(active, key=lambda p: (p.credits, p.id or 0)))


class FakePaymentRepository(_Repo, PaymentRepository):
    def add(self, payment: Payment) -> Payment:
        payment.id, payment.created_at = self._new_id(), self.db.now
        self.db.commerce.payments[payment.id] = copy.deepcopy(payment)
        return payment

    def get(self, payment_id: int) -> Payment:
        if payment_id not in self.db.commerce.payments:
            raise NotFound("payment", payment_id)
        return copy.deepcopy(self.db.commerce.payments[payment_id])

    def get_by_charge(self, provider: PaymentProvider, charge_id: str) -> Payment | None:
        found = (
            p
            for p in self.db.commerce.payments.values()
            if p.provider is provider and p.charge_id == charge_id
        )
        return copy.deepcopy(next(found, None))

    def _replace(self, payment: Payment, status: PaymentStatus) -> bool:
        if self.db.commerce.payments[payment.id or 0].status is not status:
            return False
        self.db.commerce.payments[payment.id or 0] = copy.deepcopy(payment)
        return True

    def mark_paid(self, payment: Payment) -> bool:
        other = self.get_by_charge(payment.provider, payment.charge_id or "")
        if other is not None and other.id != payment.id:
            raise AlreadyUsed(f"charge {payment.charge_id} already paid another payment")
        return self._replace(payment, PaymentStatus.PENDING)

    def mark_refunded(self, payment: Payment) -> bool:
        return self._replace(payment, PaymentStatus.PAID)


class FakeCouponRepository(_Repo, CouponRepository):
    def add(self, coupon: Coupon) -> Coupon:
        if self.get_by_code(coupon.code):
            raise AlreadyExists("coupon", coupon.code)
        coupon.id = self._new_id()
        self.db.commerce.coupons[coupon.id] = copy.deepcopy(coupon)
        return coupon

    def get(self, coupon_id: int) -> Coupon:
        if coupon_id not in self.db.commerce.coupons:
            raise NotFound("coupon", coupon_id)
        return copy.deepcopy(self.db.commerce.coupons[coupon_id])

    def get_by_code(self, code: str) -> Coupon | None:
        key = code.strip().upper()
        found = (c for c in self.db.commerce.coupons.values() if c.code == key)
        return copy.deepcopy(next(found, None))

    def claim_use(self, coupon_id: int, now: datetime) -> bool:
        coupon = self.db.commerce.coupons[coupon_id]
        try:
            coupon.check_usable(now)
        except (AlreadyUsed, Expired):
            return False
        coupon.used_count += 1
        return True

    def add_redemption(self, redemption: CouponRedemption) -> CouponRedemption:
        key = (redemption.coupon_id, redemption.user_id)
        if any((r.coupon_id, r.user_id) == key for r in self.db.commerce.redemptions):
            raise already_redeemed(*key)
        redemption.id = self._new_id()
        self.db.commerce.redemptions.append(copy.deepcopy(redemption))
        return redemption

    def redemptions(self, coupon_id: int) -> list[CouponRedemption]:
        return copy.deepcopy([r for r in self.db.commerce.redemptions if r.coupon_id == coupon_id])


class FakeGiftCardRepository(_Repo, GiftCardRepository):
    def add(self, card: GiftCard) -> GiftCard:
        if self.get_by_hash(card.code_hash):
            raise AlreadyExists("gift card", card.code_hint)
        card.id, card.created_at = self._new_id(), self.db.now
        self.db.commerce.cards[card.id] = copy.deepcopy(card)
        return card

    def get(self, card_id: int) -> GiftCard:
        if card_id not in self.db.commerce.cards:
            raise NotFound("gift card", card_id)
        return copy.deepcopy(self.db.commerce.cards[card_id])

    def get_by_hash(self, code_hash: str) -> GiftCard | None:
        found = (c for c in self.db.commerce.cards.values() if c.code_hash == code_hash)
        return copy.deepcopy(next(found, None))

    def activate(self, card_id: int) -> bool:
        card = self.db.commerce.cards[card_id]
        if card.status is not GiftCardStatus.PENDING:
            return False
        card.activate()
        return True

    def redeem(self, code_hash: str, user_id: int, now: datetime) -> GiftCard | None:
        card = next((c for c in self.db.commerce.cards.values() if c.code_hash == code_hash), None)
        if card is None or card.status is not GiftCardStatus.ACTIVE or card.is_expired(now):
            return None
        card.redeem(user_id, now)
        return copy.deepcopy(card)

    def revoke(self, card_id: int) -> bool:
        card = self.db.commerce.cards[card_id]
        if card.status not in (GiftCardStatus.PENDING, GiftCardStatus.ACTIVE):
            return False
        card.revoke()
        return True

    def expire_due(self, now: datetime) -> int:
        due = [
            c
            for c in self.db.commerce.cards.values()
            if c.status is GiftCardStatus.ACTIVE and c.is_expired(now)
        ]
        for card in due:
            card.expire(now)
        return len(due)
