"""SQL implementations of the repository ports; they never begin or commit transactions."""

from genmedia.adapters.sql.repositories.catalog import SqlFeatureRepository, SqlTagRepository
from genmedia.adapters.sql.repositories.coupons import SqlCouponRepository
from genmedia.adapters.sql.repositories.gift_cards import SqlGiftCardRepository
from genmedia.adapters.sql.repositories.holds import SqlHoldRepository
from genmedia.adapters.sql.repositories.jobs import SqlJobRepository
from genmedia.adapters.sql.repositories.media import SqlMediaRepository
from genmedia.adapters.sql.repositories.outbox import SqlJobOutbox
from genmedia.adapters.sql.repositories.provider_models import SqlProviderModelRepository
from genmedia.adapters.sql.repositories.purchases import (
    SqlCreditPackRepository,
    SqlPaymentRepository,
)
from genmedia.adapters.sql.repositories.request_rows import LoadedJobs, LoadedRequests
from genmedia.adapters.sql.repositories.requests import SqlRequestRepository
from genmedia.adapters.sql.repositories.retention import SqlRetentionRepository
from genmedia.adapters.sql.repositories.stats import SqlStatsRepository
from genmedia.adapters.sql.repositories.templates import SqlTemplateRepository
from genmedia.adapters.sql.repositories.trained_models import SqlTrainedModelRepository
from genmedia.adapters.sql.repositories.users import SqlUserRepository
from genmedia.adapters.sql.repositories.wallets import SqlWalletRepository
from genmedia.adapters.sql.repositories.workers import SqlWorkerRegistry

__all__ = [
    "LoadedJobs",
    "LoadedRequests",
    "SqlCouponRepository",
    "SqlCreditPackRepository",
    "SqlFeatureRepository",
    "SqlGiftCardRepository",
    "SqlHoldRepository",
    "SqlJobOutbox",
    "SqlJobRepository",
    "SqlMediaRepository",
    "SqlPaymentRepository",
    "SqlProviderModelRepository",
    "SqlRequestRepository",
    "SqlRetentionRepository",
    "SqlStatsRepository",
    "SqlTagRepository",
    "SqlTemplateRepository",
    "SqlTrainedModelRepository",
    "SqlUserRepository",
    "SqlWalletRepository",
    "SqlWorkerRegistry",
]
