"""fal.ai over its queue API: submit, poll the status, read the result, cancel; the
verification of fal's signed webhooks against the keys of its JWKS; and the input schema
fal publishes per endpoint."""

from genmedia.adapters.providers.fal.jwks import (
    JWKS_URL,
    FalWebhookKeys,
    FalWebhookVerifier,
    public_keys,
)
from genmedia.adapters.providers.fal.provider import QUEUE_URL, FalProvider
from genmedia.adapters.providers.fal.schema import SCHEMA_URL, FalSchemaSource
from genmedia.adapters.providers.fal.webhooks import WebhookRejected, verify_webhook

__all__ = [
    "JWKS_URL",
    "QUEUE_URL",
    "SCHEMA_URL",
    "FalProvider",
    "FalSchemaSource",
    "FalWebhookKeys",
    "FalWebhookVerifier",
    "WebhookRejected",
    "public_keys",
    "verify_webhook",
]
