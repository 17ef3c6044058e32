"""The unit of work: one transaction and the repositories inside it."""

from __future__ import annotations

import abc
from types import TracebackType
from typing import Self

from genmedia.application.ports.audit import AuditLog
from genmedia.application.ports.catalog import (
    FeatureRepository,
    ProviderModelRepository,
    TagRepository,
    TemplateRepository,
    TrainedModelRepository,
    TrendRepository,
)
from genmedia.application.ports.catalog_store import CatalogStore
from genmedia.application.ports.commerce import (
    CouponRepository,
    CreditPackRepository,
    GiftCardRepository,
    PaymentRepository,
)
from genmedia.application.ports.content import ArticleRepository
from genmedia.application.ports.execution import JobClaims, JobOutbox, WorkerRegistry
from genmedia.application.ports.generation import (
    BatchRepository,
    JobRepository,
    MediaRepository,
    RequestRepository,
)
from genmedia.application.ports.idempotency import IdempotencyKeys
from genmedia.application.ports.identity import AccessTokenRepository, UserRepository
from genmedia.application.ports.operations import RetentionRepository, StatsRepository
from genmedia.application.ports.settings import SettingRepository
from genmedia.application.ports.wallet import HoldRepository, WalletRepository


class UnitOfWork(abc.ABC):
    """One transaction; rolls back on exit unless `commit` was called."""

    users: UserRepository
    tokens: AccessTokenRepository
    idempotency: IdempotencyKeys
    features: FeatureRepository
    tags: TagRepository
    templates: TemplateRepository
    trends: TrendRepository
    provider_models: ProviderModelRepository
    trained_models: TrainedModelRepository
    catalog: CatalogStore
    requests: RequestRepository
    batches: BatchRepository
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
    settings: SettingRepository
    articles: ArticleRepository
    audit: AuditLog
    # Claims commit on their own: they are used outside the `with` block, not inside it.
    claims: JobClaims

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    @abc.abstractmethod
    def read_snapshot(self) -> None:
        """Let every read of this block see the data as of one moment, and allow no write
        (call it first, for a use case that only reads)."""

    @abc.abstractmethod
    def commit(self) -> None:
        """Make every change of this unit of work durable."""

    @abc.abstractmethod
    def rollback(self) -> None:
        """Drop every uncommitted change."""
