"""Ports: the interfaces the use cases need from the outside world, one module per capability.

Every port is re-exported here, so `from genmedia.application.ports import UnitOfWork` works.
"""

from genmedia.application.ports.audit import AuditLog
from genmedia.application.ports.catalog import (
    FeatureRepository,
    ProviderModelRepository,
    TagRepository,
    TemplateRepository,
    TemplateSearch,
    TrainedModelRepository,
    TrendRepository,
)
from genmedia.application.ports.catalog_store import CatalogContents, CatalogItem, CatalogStore
from genmedia.application.ports.commerce import (
    CouponRepository,
    CreditPackRepository,
    GiftCardRepository,
    PaymentRepository,
    PaymentVerifier,
)
from genmedia.application.ports.content import ArticleRenderer, ArticleRepository, AuthoredArticle
from genmedia.application.ports.execution import (
    JobClaims,
    JobOutbox,
    JobQueue,
    PendingJob,
    WorkerRegistry,
)
from genmedia.application.ports.generation import (
    BatchRepository,
    JobRepository,
    MediaRepository,
    RequestRepository,
)
from genmedia.application.ports.idempotency import IdempotencyKeys
from genmedia.application.ports.identity import (
    AccessTokenRepository,
    PasswordHasher,
    UserRepository,
)
from genmedia.application.ports.limits import Count, Counters
from genmedia.application.ports.operations import Metrics, RetentionRepository, StatsRepository
from genmedia.application.ports.providers import (
    Finished,
    InputImage,
    LoraCall,
    ModelSchemaSource,
    Outcome,
    ProviderCall,
    ProviderGateway,
    ProviderOutput,
    TrainingCall,
    TrainingGateway,
    Waiting,
    WebhookVerifier,
)
from genmedia.application.ports.settings import SecretCipher, SettingRepository
from genmedia.application.ports.storage import ImageProcessor, ObjectStorage
from genmedia.application.ports.system import Clock
from genmedia.application.ports.unit_of_work import UnitOfWork
from genmedia.application.ports.wallet import HoldRepository, WalletRepository

__all__ = [
    "AccessTokenRepository",
    "ArticleRenderer",
    "ArticleRepository",
    "AuthoredArticle",
    "AuditLog",
    "CatalogContents",
    "CatalogItem",
    "CatalogStore",
    "BatchRepository",
    "Count",
    "Counters",
    "Clock",
    "CouponRepository",
    "CreditPackRepository",
    "FeatureRepository",
    "Finished",
    "GiftCardRepository",
    "HoldRepository",
    "IdempotencyKeys",
    "ImageProcessor",
    "InputImage",
    "JobClaims",
    "LoraCall",
    "JobOutbox",
    "JobQueue",
    "JobRepository",
    "MediaRepository",
    "Metrics",
    "ModelSchemaSource",
    "ObjectStorage",
    "Outcome",
    "PasswordHasher",
    "PaymentRepository",
    "PaymentVerifier",
    "PendingJob",
    "ProviderCall",
    "ProviderGateway",
    "ProviderModelRepository",
    "ProviderOutput",
    "RequestRepository",
    "RetentionRepository",
    "SecretCipher",
    "SettingRepository",
    "StatsRepository",
    "TagRepository",
    "TemplateRepository",
    "TemplateSearch",
    "TrainedModelRepository",
    "TrainingCall",
    "TrainingGateway",
    "TrendRepository",
    "UnitOfWork",
    "UserRepository",
    "Waiting",
    "WebhookVerifier",
    "WalletRepository",
    "WorkerRegistry",
]
