"""The fake unit of work: a copy of the database, committed or dropped."""

from __future__ import annotations

import copy
from typing import Any

import attrs

from genmedia.application.ports import (
    UnitOfWork,
)
from tests.fakes.base import FakeDatabase
from tests.fakes.batches import FakeBatchRepository
from tests.fakes.catalog import (
    FakeFeatureRepository,
    FakeProviderModelRepository,
    FakeTagRepository,
    FakeTemplateRepository,
    FakeTrainedModelRepository,
    FakeTrendRepository,
)
from tests.fakes.catalog_store import FakeCatalogStore
from tests.fakes.commerce import (
    FakeCouponRepository,
    FakeCreditPackRepository,
    FakeGiftCardRepository,
    FakePaymentRepository,
)
from tests.fakes.content import FakeArticleRepository
from tests.fakes.execution import FakeJobClaims, FakeJobOutbox, FakeWorkerRegistry
from tests.fakes.generation import FakeJobRepository, FakeMediaRepository, FakeRequestRepository
from tests.fakes.identity import FakeAccessTokenRepository, FakeUserRepository
from tests.fakes.operations import (
    FakeAuditLog,
    FakeIdempotencyKeys,
    FakeRetentionRepository,
    FakeStatsRepository,
)
from tests.fakes.settings import FakeSettingRepository
from tests.fakes.wallet import FakeHoldRepository, FakeWalletRepository


class FakeUnitOfWork(UnitOfWork):
    """A unit of work over a deep copy of the committed state, written back on commit."""

    def __init__(self, db: FakeDatabase | None = None) -> None:
        self.db = db or FakeDatabase()
        self.commits = 0
        self.in_block = False  # whether a `with` block (a transaction) is open
        self.claims = FakeJobClaims(self)

    def __enter__(self) -> FakeUnitOfWork:
        self.in_block = True
        self.work = copy.deepcopy(self.db)
        self.users = FakeUserRepository(self.work)
        self.tokens = FakeAccessTokenRepository(self.work)
        self.idempotency = FakeIdempotencyKeys(self.work)
        self.features = FakeFeatureRepository(self.work)
        self.tags = FakeTagRepository(self.work)
        self.templates = FakeTemplateRepository(self.work)
        self.trends = FakeTrendRepository(self.work)
        self.provider_models = FakeProviderModelRepository(self.work)
        self.trained_models = FakeTrainedModelRepository(self.work)
        self.catalog = FakeCatalogStore(self.work)
        self.requests = FakeRequestRepository(self.work, self.db)
        self.jobs = FakeJobRepository(self.work, self.db)
        self.batches = FakeBatchRepository(self.work)
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
        self.settings = FakeSettingRepository(self.work)
        self.audit = FakeAuditLog(self.work)
        self.articles = FakeArticleRepository(self.work)
        return self

    def read_snapshot(self) -> None:
        """Nothing to do: a block reads its own deep copy of the committed state."""

    def commit(self) -> None:
        for field in attrs.fields(FakeDatabase):
            setattr(self.db, field.name, getattr(self.work, field.name))
        self.work = copy.deepcopy(self.db)
        self.commits += 1

    def rollback(self) -> None:
        self.work = copy.deepcopy(self.db)

    def __exit__(self, *exc_info: Any) -> None:
        super().__exit__(*exc_info)
        self.in_block = False
