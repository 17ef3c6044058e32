"""Replicate over its predictions API: create, poll urls.get, cancel, verify webhooks, and
read a model's published input schema."""

from genmedia.adapters.providers.replicate.provider import ReplicateProvider
from genmedia.adapters.providers.replicate.schema import ReplicateSchemaSource
from genmedia.adapters.providers.replicate.webhooks import (
    ReplicateWebhookVerifier,
    WebhookRejected,
    verify_webhook,
)

__all__ = [
    "ReplicateProvider",
    "ReplicateSchemaSource",
    "ReplicateWebhookVerifier",
    "WebhookRejected",
    "verify_webhook",
]
