"""In-memory fakes of every port, one module per capability; each subclasses the port it fakes."""

from tests.fakes.base import OUTCOME, FakeCommerce, FakeDatabase, Repo
from tests.fakes.catalog import (
    FakeFeatureRepository,
    FakeProviderModelRepository,
    FakeSchemaSource,
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
    FakePaymentVerifier,
)
from tests.fakes.content import FakeArticleRepository, FakeRenderer
from tests.fakes.execution import (
    DoublingQueue,
    FakeJobClaims,
    FakeJobOutbox,
    FakeMetrics,
    FakeProvider,
    FakeQueue,
    FakeWorkerRegistry,
    fake_image,
)
from tests.fakes.generation import FakeJobRepository, FakeMediaRepository, FakeRequestRepository
from tests.fakes.identity import FakeAccessTokenRepository, FakeHasher, FakeUserRepository
from tests.fakes.operations import (
    FakeIdempotencyKeys,
    FakeRetentionRepository,
    FakeStatsRepository,
)
from tests.fakes.settings import FakeCipher, FakeSettingRepository
from tests.fakes.system import FakeClock, FakeCounters, FakeImageProcessor, FakeStorage
from tests.fakes.unit_of_work import FakeUnitOfWork
from tests.fakes.wallet import FakeHoldRepository, FakeWalletRepository

__all__ = [
    "FakeArticleRepository",
    "FakeRenderer",
    "FakeAccessTokenRepository",
    "FakeCipher",
    "FakeCatalogStore",
    "FakeClock",
    "FakeCommerce",
    "FakeCounters",
    "FakeCouponRepository",
    "FakeCreditPackRepository",
    "FakeDatabase",
    "FakeFeatureRepository",
    "FakeGiftCardRepository",
    "FakeHasher",
    "FakeHoldRepository",
    "FakeIdempotencyKeys",
    "FakeImageProcessor",
    "FakeJobClaims",
    "FakeJobOutbox",
    "FakeJobRepository",
    "FakeMediaRepository",
    "FakeMetrics",
    "FakePaymentRepository",
    "FakePaymentVerifier",
    "FakeProvider",
    "FakeProviderModelRepository",
    "DoublingQueue",
    "FakeQueue",
    "FakeRequestRepository",
    "FakeRetentionRepository",
    "FakeSchemaSource",
    "FakeSettingRepository",
    "FakeStatsRepository",
    "FakeStorage",
    "FakeTagRepository",
    "FakeTemplateRepository",
    "FakeTrainedModelRepository",
    "FakeTrendRepository",
    "FakeUnitOfWork",
    "FakeUserRepository",
    "FakeWalletRepository",
    "FakeWorkerRegistry",
    "OUTCOME",
    "Repo",
    "fake_image",
]
