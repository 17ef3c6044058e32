"""The database schema: one MetaData holding every Core table (ARCHITECTURE §3)."""

from genmedia.adapters.sql.tables.audit import audit_log
from genmedia.adapters.sql.tables.base import metadata
from genmedia.adapters.sql.tables.catalog import generation_features, provider_models, tags
from genmedia.adapters.sql.tables.commerce import (
    coupon_redemptions,
    coupons,
    credit_packs,
    gift_cards,
    payments,
)
from genmedia.adapters.sql.tables.content import articles
from genmedia.adapters.sql.tables.generation import (
    generation_batches,
    generation_jobs,
    generation_requests,
)
from genmedia.adapters.sql.tables.idempotency import idempotency_keys
from genmedia.adapters.sql.tables.identity import access_tokens, settings, users
from genmedia.adapters.sql.tables.media import generation_media
from genmedia.adapters.sql.tables.templates import (
    generation_templates,
    template_activity,
    template_option_groups,
    template_options,
)
from genmedia.adapters.sql.tables.trained_models import trained_model_images, trained_models
from genmedia.adapters.sql.tables.wallet import (
    credit_holds,
    credit_lots,
    wallet_transactions,
    wallets,
)
from genmedia.adapters.sql.tables.workers import workers

__all__ = [
    "access_tokens",
    "articles",
    "audit_log",
    "coupon_redemptions",
    "coupons",
    "credit_holds",
    "credit_lots",
    "credit_packs",
    "generation_batches",
    "generation_features",
    "generation_jobs",
    "generation_media",
    "generation_requests",
    "generation_templates",
    "gift_cards",
    "idempotency_keys",
    "metadata",
    "payments",
    "provider_models",
    "settings",
    "tags",
    "template_activity",
    "template_option_groups",
    "template_options",
    "trained_model_images",
    "trained_models",
    "users",
    "wallet_transactions",
    "wallets",
    "workers",
]
