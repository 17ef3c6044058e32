"""SQL implementations of the repository ports; they never begin or commit transactions."""

from genmedia.adapters.sql.repositories.audit.log import SqlAuditLog
from genmedia.adapters.sql.repositories.catalog.features import (
    SqlFeatureRepository,
    SqlTagRepository,
)
from genmedia.adapters.sql.repositories.catalog.provider_models import SqlProviderModelRepository
from genmedia.adapters.sql.repositories.catalog.store import SqlCatalogStore
from genmedia.adapters.sql.repositories.commerce.coupons import SqlCouponRepository
from genmedia.adapters.sql.repositories.commerce.gift_cards import SqlGiftCardRepository
from genmedia.adapters.sql.repositories.commerce.purchases import (
    SqlCreditPackRepository,
    SqlPaymentRepository,
)
from genmedia.adapters.sql.repositories.content.articles import SqlArticleRepository
from genmedia.adapters.sql.repositories.generation.batches import SqlBatchRepository
from genmedia.adapters.sql.repositories.generation.jobs import SqlJobRepository
from genmedia.adapters.sql.repositories.generation.outbox import SqlJobOutbox
from genmedia.adapters.sql.repositories.generation.requests import SqlRequestRepository
from genmedia.adapters.sql.repositories.generation.retention import SqlRetentionRepository
from genmedia.adapters.sql.repositories.generation.rows import LoadedJobs, LoadedRequests
from genmedia.adapters.sql.repositories.generation.stats import SqlStatsRepository
from genmedia.adapters.sql.repositories.idempotency.keys import SqlIdempotencyKeys
from genmedia.adapters.sql.repositories.identity.tokens import SqlAccessTokenRepository
from genmedia.adapters.sql.repositories.identity.users import SqlUserRepository
from genmedia.adapters.sql.repositories.media.repository import SqlMediaRepository
from genmedia.adapters.sql.repositories.settings.repository import SqlSettingRepository
from genmedia.adapters.sql.repositories.templates.repository import SqlTemplateRepository
from genmedia.adapters.sql.repositories.templates.trends import SqlTrendRepository
from genmedia.adapters.sql.repositories.trained_models.repository import SqlTrainedModelRepository
from genmedia.adapters.sql.repositories.wallet.holds import SqlHoldRepository
from genmedia.adapters.sql.repositories.wallet.wallets import SqlWalletRepository
from genmedia.adapters.sql.repositories.workers.registry import SqlWorkerRegistry

__all__ = [
    "LoadedJobs",
    "LoadedRequests",
    "SqlAccessTokenRepository",
    "SqlArticleRepository",
    "SqlCatalogStore",
    "SqlBatchRepository",
    "SqlCouponRepository",
    "SqlCreditPackRepository",
    "SqlFeatureRepository",
    "SqlGiftCardRepository",
    "SqlHoldRepository",
    "SqlAuditLog",
    "SqlIdempotencyKeys",
    "SqlJobOutbox",
    "SqlJobRepository",
    "SqlMediaRepository",
    "SqlPaymentRepository",
    "SqlProviderModelRepository",
    "SqlRequestRepository",
    "SqlRetentionRepository",
    "SqlSettingRepository",
    "SqlStatsRepository",
    "SqlTagRepository",
    "SqlTemplateRepository",
    "SqlTrainedModelRepository",
    "SqlTrendRepository",
    "SqlUserRepository",
    "SqlWalletRepository",
    "SqlWorkerRegistry",
]
