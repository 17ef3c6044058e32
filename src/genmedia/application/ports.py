"""Ports: the interfaces the use cases need from the outside world."""

from __future__ import annotations

import abc
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Self

import attrs

from genmedia.domain.catalog import Feature, MediaCategory, Tag
from genmedia.domain.coupons import Coupon, CouponRedemption
from genmedia.domain.gift_cards import GiftCard
from genmedia.domain.holds import CreditHold
from genmedia.domain.job import Job
from genmedia.domain.lots import CreditLot
from genmedia.domain.media import ImageInfo, Media
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.purchases import CreditPack, Payment, PaymentNotification, PaymentProvider
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status
from genmedia.domain.template import Template
from genmedia.domain.trained_model import TrainedModel
from genmedia.domain.user import User
from genmedia.domain.wallet import LedgerEntry, Posting, Wallet


class UserRepository(abc.ABC):
    """Users by id and e-mail."""

    @abc.abstractmethod
    def add(self, user: User) -> User:
        """Insert a user and give it its id; AlreadyExists if the e-mail is taken."""

    @abc.abstractmethod
    def get(self, user_id: int) -> User:
        """The user with this id, or NotFound."""

    @abc.abstractmethod
    def get_by_email(self, email: str) -> User | None:
        """The user with this e-mail, if any."""


class FeatureRepository(abc.ABC):
    """Features of the catalog."""

    @abc.abstractmethod
    def add(self, feature: Feature) -> Feature:
        """Insert a feature and give it its id."""

    @abc.abstractmethod
    def get(self, feature_id: int) -> Feature:
        """The feature with this id, or NotFound."""

    @abc.abstractmethod
    def get_by_name(self, name: str) -> Feature | None:
        """The live feature with this name, if any."""

    @abc.abstractmethod
    def list_active(self, category: MediaCategory | None = None) -> list[Feature]:
        """Active features, optionally of one category, by order_index."""


class TagRepository(abc.ABC):
    """Tags of the catalog."""

    @abc.abstractmethod
    def add(self, tag: Tag) -> Tag:
        """Insert a tag and give it its id."""

    @abc.abstractmethod
    def get_by_name(self, name: str) -> Tag | None:
        """The tag with this name, if any."""

    @abc.abstractmethod
    def list(self) -> list[Tag]:
        """Active tags by sort_order."""


class TemplateRepository(abc.ABC):
    """Templates with their option groups."""

    @abc.abstractmethod
    def add(self, template: Template) -> Template:
        """Insert a template and its option groups; AlreadyExists if the slug is taken."""

    @abc.abstractmethod
    def get(self, template_id: int) -> Template:
        """The template with this id, or NotFound."""

    @abc.abstractmethod
    def get_by_slug(self, slug: str) -> Template | None:
        """The live template with this slug, if any."""

    @abc.abstractmethod
    def list_active(self, feature_id: int | None = None) -> list[Template]:
        """Active templates, optionally of one feature, by order_index."""


class ProviderModelRepository(abc.ABC):
    """Provider models."""

    @abc.abstractmethod
    def add(self, model: ProviderModel) -> ProviderModel:
        """Insert a provider model; AlreadyExists if the slug is taken."""

    @abc.abstractmethod
    def get(self, model_id: int) -> ProviderModel:
        """The provider model with this id, or NotFound."""

    @abc.abstractmethod
    def get_by_slug(self, slug: str) -> ProviderModel | None:
        """The provider model with this slug, if any."""

    @abc.abstractmethod
    def get_default(self) -> ProviderModel | None:
        """The active model marked default, if any."""


class TrainedModelRepository(abc.ABC):
    """Trained models (LoRA); deleted ones are never found."""

    @abc.abstractmethod
    def add(self, model: TrainedModel) -> TrainedModel:
        """Insert a trained model; AlreadyExists if its weights or config URL is taken."""

    @abc.abstractmethod
    def get(self, model_id: int) -> TrainedModel:
        """The live trained model with this id, or NotFound."""

    @abc.abstractmethod
    def save(self, model: TrainedModel) -> None:
        """Write back a loaded model (status, URLs, visibility, price…); NotFound if gone,
        AlreadyExists if its weights or config URL is taken."""

    @abc.abstractmethod
    def list_for_owner(self, owner_id: int, limit: int = 50) -> list[TrainedModel]:
        """The owner's live models in any status, newest first."""

    @abc.abstractmethod
    def list_public(self, limit: int = 50) -> list[TrainedModel]:
        """Live public models that are completed, newest first."""


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
    def get_by_job(self, job_id: int, *, for_update: bool = False) -> GenerationRequest:
        """The request that owns this job, or NotFound (`for_update` as in `get`)."""

    @abc.abstractmethod
    def save(self, request: GenerationRequest) -> None:
        """Write back a loaded request; StaleAggregate if someone else changed it meanwhile."""

    @abc.abstractmethod
    def list_for_user(self, user_id: int, limit: int = 20) -> list[GenerationRequest]:
        """The user's live requests, newest first."""

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


class JobRepository(abc.ABC):
    """Single jobs, for the worker's steps, which change one job at a time.

    A job belongs to its request; whoever saves a job calls `requests.follow_all` afterwards
    in the same transaction (a claim starts the requests itself).
    """

    @abc.abstractmethod
    def get(self, job_id: int) -> Job:
        """The job with this id, or NotFound."""

    @abc.abstractmethod
    def lock(self, job_ids: Collection[int]) -> list[Job]:
        """Those of these jobs that exist, in id order, locked until the transaction ends."""

    @abc.abstractmethod
    def claim(
        self, job_ids: Collection[int], worker_id: str, now: datetime, timeout: timedelta
    ) -> list[Job]:
        """`Job.claim` those of these jobs still pending, as one guarded write, locking them
        in id order, and move their requests that are still pending to processing; the jobs
        claimed, in id order. Duplicate and unknown ids are ignored. Atomic on its own: it
        may run as the only work of `UnitOfWork.one_statement`."""

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
    def add(self, media: Media, *, replay_checked: bool = False) -> Media:
        """Insert a media row; AlreadyExists if the job output already has one.

        `replay_checked` says the caller's guarded UPDATE in this transaction already rules
        out a repeat; a taken key then fails the transaction instead.
        """

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
    def soft_delete(self, media_id: int, user_id: int, now: datetime) -> bool:
        """Mark the user's live media deleted at `now`; False if it is not theirs or not live."""

    @abc.abstractmethod
    def purgeable(self, before: datetime, limit: int) -> list[Media]:
        """Media soft-deleted before `before` whose object is not removed yet, oldest first."""

    @abc.abstractmethod
    def mark_purged(self, media_ids: Sequence[int], now: datetime) -> int:
        """Record that these deleted media lost their stored object; return how many."""


class RetentionRepository(abc.ABC):
    """Pruning of rows kept only for a while (SPEC GEN-11)."""

    @abc.abstractmethod
    def delete_finished_jobs(self, before: datetime, limit: int) -> int:
        """Hard-delete up to `limit` jobs that finished before `before`; return how many.

        Finished is completed, failed or cancelled. A job is kept while another job of its
        request is pending or processing, or while a credit hold on it is still pending.
        Its media keep their rows (their job_id becomes NULL), the ledger keeps naming it.
        """


class StatsRepository(abc.ABC):
    """Counts for monitoring, each one cheap GROUP BY over an index."""

    @abc.abstractmethod
    def count_jobs_by_status(self) -> dict[str, int]:
        """Live jobs per status; statuses without jobs may be missing."""

    @abc.abstractmethod
    def pending_by_tier(self) -> dict[str, int]:
        """Live pending jobs per priority tier (see application.stats.tier_of)."""


@attrs.frozen
class PendingJob:
    """A committed pending job waiting to be handed to the broker."""

    job_id: int
    user_id: int
    priority: int
    due_at: datetime | None = None


class JobOutbox(abc.ABC):
    """The jobs table read as an outbox of work to dispatch."""

    @abc.abstractmethod
    def pending(self, limit: int) -> list[PendingJob]:
        """Pending jobs not yet dispatched, highest priority first, then oldest."""

    @abc.abstractmethod
    def mark_dispatched(self, job_ids: Sequence[int], now: datetime) -> int:
        """Mark jobs dispatched if they still are pending and undispatched; return how many."""

    @abc.abstractmethod
    def claim_for_dispatch(
        self, now: datetime, limit: int, user_cap: int, max_in_flight: int
    ) -> list[PendingJob]:
        """Pick and mark dispatched the jobs to send now (see domain.scheduling).

        Due (run_after passed), undispatched pending jobs in priority order, no user above
        `user_cap` jobs in flight, and no more than `max_in_flight` jobs in flight in all.
        Rows another dispatcher is picking are skipped, not waited for.
        """

    @abc.abstractmethod
    def unmark(self, job_ids: Sequence[int]) -> int:
        """Make jobs whose message could not be sent dispatchable again."""

    @abc.abstractmethod
    def redispatch_stale(self, dispatched_before: datetime) -> int:
        """Make pending jobs dispatched before then dispatchable again (their message was lost)."""

    @abc.abstractmethod
    def orphaned(self, heartbeat_before: datetime, limit: int) -> list[int]:
        """Running jobs whose worker stopped, or sent no heartbeat since `heartbeat_before`."""

    @abc.abstractmethod
    def count_unfinished(self, request_ids: Sequence[int]) -> int:
        """How many jobs of these requests are still pending or processing."""


class WalletRepository(abc.ABC):
    """Wallets and their ledger; every movement is one guarded statement on the wallet row."""

    @abc.abstractmethod
    def add(self, wallet: Wallet) -> Wallet:
        """Open an empty wallet for a user; AlreadyExists if the user has one."""

    @abc.abstractmethod
    def get(self, user_id: int) -> Wallet:
        """The user's wallet as it is now, or NotFound."""

    @abc.abstractmethod
    def reserve(self, user_id: int, amount: int) -> None:
        """Hold `amount`; InsufficientCredits unless balance − held covers it."""

    @abc.abstractmethod
    def release(self, user_id: int, amount: int) -> None:
        """Return `amount` of held credits to the available balance."""

    @abc.abstractmethod
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
        """Apply a posting once and append its ledger entry.

        A replay of the same reference and content returns the first entry; the same
        reference with other content raises IdempotencyConflict. `release` frees held credits
        in the same statement (a capture). Credits open a lot (expiring at `lot_expires_at`);
        debits consume lots in order, or first from `from_lot` (a refund's claw-back).
        `replay_checked` says the caller's own guarded UPDATE in this transaction already
        rules out a replay; a repeated reference then fails the transaction instead.
        """

    @abc.abstractmethod
    def post_all(
        self, user_id: int, postings: Sequence[Posting], *, release: int = 0
    ) -> list[LedgerEntry]:
        """Apply debits in one movement of the wallet, each with its own ledger entry, and free
        `release` held credits with them; InsufficientCredits refuses them all. As `post`
        with `replay_checked`: the caller's guarded statements rule out a replay."""

    @abc.abstractmethod
    def entries(
        self, user_id: int, limit: int = 20, before_id: int | None = None
    ) -> list[LedgerEntry]:
        """The user's ledger entries, newest first."""

    @abc.abstractmethod
    def entry(self, reference_id: str) -> LedgerEntry | None:
        """The entry applied under this reference, if any."""

    @abc.abstractmethod
    def lot(self, reference_id: str) -> CreditLot | None:
        """The lot opened by the credit with this reference, if any."""

    @abc.abstractmethod
    def expiring_lots(self, now: datetime, limit: int) -> list[CreditLot]:
        """Lots past their expiry that still have credits left."""

    @abc.abstractmethod
    def now(self) -> datetime:
        """The database's current time, which hold and lot expiry are measured in."""


class HoldRepository(abc.ABC):
    """Credit holds, one per job."""

    @abc.abstractmethod
    def add(self, hold: CreditHold) -> CreditHold:
        """Insert a pending hold; AlreadyExists if the job has one."""

    @abc.abstractmethod
    def add_all(self, holds: Sequence[CreditHold]) -> None:
        """Insert jobs' pending holds together, giving each its id; AlreadyExists (and none
        inserted) if any of the jobs has one, after which the unit of work must roll back."""

    @abc.abstractmethod
    def get(self, hold_id: int) -> CreditHold:
        """The hold with this id, or NotFound."""

    @abc.abstractmethod
    def for_job(self, job_id: int) -> CreditHold | None:
        """The job's hold, if any."""

    @abc.abstractmethod
    def capture_for_jobs(self, costs: Mapping[int, int], now: datetime) -> dict[int, CreditHold]:
        """`CreditHold.capture` the pending holds of these jobs (job id → its cost), each of
        the cost but no more than it holds, as one guarded write that locks them in id
        order; the holds captured, by job id. A job whose hold is missing or settled
        already is left out."""

    @abc.abstractmethod
    def settle(self, hold: CreditHold) -> bool:
        """Write a settled hold if it is still pending in the database; False if it was not."""

    @abc.abstractmethod
    def settle_all(self, holds: Sequence[CreditHold]) -> int:
        """`settle` for several holds; how many were still pending and are now settled."""

    @abc.abstractmethod
    def due(self, now: datetime, limit: int) -> list[CreditHold]:
        """Pending holds whose expiry has passed."""


class CreditPackRepository(abc.ABC):
    """Credit packs on sale."""

    @abc.abstractmethod
    def add(self, pack: CreditPack) -> CreditPack:
        """Insert a pack and give it its id; AlreadyExists if the name is taken."""

    @abc.abstractmethod
    def get(self, pack_id: int) -> CreditPack:
        """The pack with this id, or NotFound."""

    @abc.abstractmethod
    def get_by_name(self, name: str) -> CreditPack | None:
        """The pack with this name, if any."""

    @abc.abstractmethod
    def list_active(self) -> list[CreditPack]:
        """Packs on sale, fewest credits first."""


class PaymentRepository(abc.ABC):
    """Payments; status changes are guarded UPDATEs on the status they leave."""

    @abc.abstractmethod
    def add(self, payment: Payment) -> Payment:
        """Insert a pending payment and give it its id."""

    @abc.abstractmethod
    def get(self, payment_id: int) -> Payment:
        """The payment with this id, or NotFound."""

    @abc.abstractmethod
    def get_by_charge(self, provider: PaymentProvider, charge_id: str) -> Payment | None:
        """The payment the provider charged under `charge_id`, if any."""

    @abc.abstractmethod
    def mark_paid(self, payment: Payment) -> bool:
        """Write a paid payment if it is still pending; AlreadyUsed if another has the charge."""

    @abc.abstractmethod
    def mark_refunded(self, payment: Payment) -> bool:
        """Write a refunded payment (and its metadata) if it is still paid."""


class CouponRepository(abc.ABC):
    """Coupons and their redemptions; a use is claimed with one conditional increment."""

    @abc.abstractmethod
    def add(self, coupon: Coupon) -> Coupon:
        """Insert a coupon and give it its id; AlreadyExists if the code is taken."""

    @abc.abstractmethod
    def get(self, coupon_id: int) -> Coupon:
        """The coupon with this id, or NotFound."""

    @abc.abstractmethod
    def get_by_code(self, code: str) -> Coupon | None:
        """The coupon with this (normalised) code, if any."""

    @abc.abstractmethod
    def claim_use(self, coupon_id: int, now: datetime) -> bool:
        """Count one use if the coupon is active, valid at `now` and not used up."""

    @abc.abstractmethod
    def add_redemption(self, redemption: CouponRedemption) -> CouponRedemption:
        """Record a use; AlreadyUsed if this user has used this coupon before."""

    @abc.abstractmethod
    def redemptions(self, coupon_id: int) -> list[CouponRedemption]:
        """The coupon's redemptions, oldest first."""


class GiftCardRepository(abc.ABC):
    """Gift cards, found by the hash of their code; every status change is guarded."""

    @abc.abstractmethod
    def add(self, card: GiftCard) -> GiftCard:
        """Insert a pending card and give it its id."""

    @abc.abstractmethod
    def get(self, card_id: int) -> GiftCard:
        """The card with this id, or NotFound."""

    @abc.abstractmethod
    def get_by_hash(self, code_hash: str) -> GiftCard | None:
        """The card whose code hashes to `code_hash`, if any."""

    @abc.abstractmethod
    def activate(self, card_id: int) -> bool:
        """pending → active; False if the card was not pending."""

    @abc.abstractmethod
    def redeem(self, code_hash: str, user_id: int, now: datetime) -> GiftCard | None:
        """active and unexpired → redeemed by `user_id`; None if the card was not."""

    @abc.abstractmethod
    def revoke(self, card_id: int) -> bool:
        """pending or active → expired (its payment was refunded); False otherwise."""

    @abc.abstractmethod
    def expire_due(self, now: datetime) -> int:
        """Expire every active card past its expiry; return how many."""


class WorkerRegistry(abc.ABC):
    """Worker processes and their heartbeats."""

    @abc.abstractmethod
    def beat(self, worker_id: str, hostname: str, pid: int) -> None:
        """Record that the worker is alive now (database time)."""

    @abc.abstractmethod
    def stopped(self, worker_id: str) -> None:
        """Record that the worker shut down cleanly."""


class UnitOfWork(abc.ABC):
    """One transaction; rolls back on exit unless `commit` was called."""

    users: UserRepository
    features: FeatureRepository
    tags: TagRepository
    templates: TemplateRepository
    provider_models: ProviderModelRepository
    trained_models: TrainedModelRepository
    requests: RequestRepository
    jobs: JobRepository
    media: MediaRepository
    retention: RetentionRepository
    stats: StatsRepository
    outbox: JobOutbox
    wallets: WalletRepository
    holds: HoldRepository
    workers: WorkerRegistry
    credit_packs: CreditPackRepository
    payments: PaymentRepository
    coupons: CouponRepository
    gift_cards: GiftCardRepository

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def one_statement(self) -> Self:
        """This unit of work for a block whose only work is one repository call documented
        as atomic on its own; a backend may then run it without an explicit transaction
        (saving two round trips). By default it keeps the transaction."""
        return self

    @abc.abstractmethod
    def commit(self) -> None:
        """Make every change of this unit of work durable."""

    @abc.abstractmethod
    def rollback(self) -> None:
        """Drop every uncommitted change."""


class ObjectStorage(abc.ABC):
    """A bucket of stored objects addressed by key."""

    @abc.abstractmethod
    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store bytes under a key, replacing what was there."""

    @abc.abstractmethod
    def get(self, key: str) -> bytes:
        """The bytes stored under a key, or NotFound."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; removing a missing object is not an error."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool:
        """Whether an object is stored under the key."""

    @abc.abstractmethod
    def url(self, key: str, expires_in: int) -> str:
        """A URL that reads the object for `expires_in` seconds."""


class ImageProcessor(abc.ABC):
    """Reads images: format, dimensions and blurhash."""

    @abc.abstractmethod
    def describe(self, data: bytes) -> ImageInfo:
        """Measure an image; UnsupportedMedia unless it is a png, jpeg, webp or gif."""


@attrs.frozen(kw_only=True)
class InputImage:
    """An image handed to a provider, e.g. the source of an edit."""

    data: bytes
    file_format: str
    slot: str = "image"


@attrs.frozen(kw_only=True)
class ProviderCall:
    """Everything a provider needs for one job."""

    job_id: int
    model: str
    endpoint: str | None
    prompt: str
    negative_prompt: str | None
    params: dict[str, Any]
    seed: int
    inputs: tuple[InputImage, ...] = ()

    @property
    def idempotency_key(self) -> str:
        """A key that names this job's submission, for providers that deduplicate."""
        return f"genmedia-job-{self.job_id}"


@attrs.frozen(kw_only=True)
class ProviderOutput:
    """One output: the bytes, or a URL to download them from before it expires."""

    data: bytes | None = None
    url: str | None = None


@attrs.frozen(kw_only=True)
class Finished:
    """A provider call that produced its outputs."""

    outputs: tuple[ProviderOutput, ...]
    provider_cost: float | None = None
    metadata: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Waiting:
    """An asynchronous provider task still running; poll it again later."""

    task_id: str
    polling_url: str | None = None
    poll_after: float = 1.0
    provider_cost: float | None = None  # what submitting cost, in USD, if the provider said


Outcome = Finished | Waiting


class ProviderGateway(abc.ABC):
    """One AI provider; errors are raised as ProviderError."""

    name: str

    @abc.abstractmethod
    def submit(self, call: ProviderCall) -> Outcome:
        """Start the work; a synchronous provider answers Finished at once."""

    @abc.abstractmethod
    def poll(self, task_id: str, polling_url: str | None) -> Outcome:
        """Ask about a task started earlier."""

    @abc.abstractmethod
    def fetch(self, url: str) -> bytes:
        """Download an output the provider returned as a URL."""

    def cancel(self, task_id: str, polling_url: str | None) -> None:  # noqa: B027
        """Ask the provider to stop a task; providers without a cancel API ignore it."""


class JobQueue(abc.ABC):
    """The transport that hands job ids to workers."""

    @abc.abstractmethod
    def send_runs(self, job_ids: Sequence[int]) -> None:
        """Ask workers to run these jobs, sending the messages together where the transport
        can; if it raises, any of them may or may not have been sent."""

    @abc.abstractmethod
    def send_poll(self, job_id: int, delay: float) -> None:
        """Ask a worker to poll the job's provider task after `delay` seconds."""


class Metrics(abc.ABC):
    """What the pipeline reports for monitoring."""

    @abc.abstractmethod
    def job_finished(self, status: str, provider: str, seconds: float) -> None:
        """A job ended (completed, failed or cancelled) after running `seconds`."""

    @abc.abstractmethod
    def job_dispatched(self, lag_seconds: float, tier: str) -> None:
        """A job was handed to the broker `lag_seconds` after it became due."""

    @abc.abstractmethod
    def provider_error(self, provider: str, code: str) -> None:
        """A provider call failed with this error code."""


class NoMetrics(Metrics):
    """Metrics that go nowhere, for programs that do not monitor."""

    def job_finished(self, status: str, provider: str, seconds: float) -> None:
        """Ignore a finished job."""

    def job_dispatched(self, lag_seconds: float, tier: str) -> None:
        """Ignore a dispatch."""

    def provider_error(self, provider: str, code: str) -> None:
        """Ignore a provider error."""


class Clock(abc.ABC):
    """The time source of the use cases."""

    @abc.abstractmethod
    def now(self) -> datetime:
        """The current time, timezone-aware in UTC."""


class PaymentVerifier(abc.ABC):
    """Checks and reads a payment provider's notification; secrets never leave it."""

    provider: PaymentProvider

    @abc.abstractmethod
    def verify(self, headers: Mapping[str, str], body: bytes) -> PaymentNotification:
        """The notification in `body`; InvalidSignature unless it is authentic and fresh."""


class PasswordHasher(abc.ABC):
    """Hashes and checks passwords."""

    @abc.abstractmethod
    def hash(self, password: str) -> str:
        """A salted hash of the password."""

    @abc.abstractmethod
    def verify(self, password: str, hashed: str) -> bool:
        """Whether the password matches the hash."""
