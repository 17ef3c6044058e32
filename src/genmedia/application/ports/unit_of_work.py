"""The unit of work: one transaction and the repositories inside it."""

from __future__ import annotations

import abc
from types import TracebackType
from typing import Self

from genmedia.application.ports.catalog import (
    FeatureRepository,
    ProviderModelRepository,
    TagRepository,
    TemplateRepository,
    TrainedModelRepository,
)
from genmedia.application.ports.commerce import (
    CouponRepository,
    CreditPackRepository,
    GiftCardRepository,
    PaymentRepository,
)
from genmedia.application.ports.execution import JobOutbox, WorkerRegistry
from genmedia.application.ports.generation import JobRepository, MediaRepository, RequestRepository
from genmedia.application.ports.identity import UserRepository
from genmedia.application.ports.operations import RetentionRepository, StatsRepository
from genmedia.application.ports.wallet import HoldRepository, WalletRepository


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
