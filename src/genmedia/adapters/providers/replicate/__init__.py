"""Replicate over its predictions API: create, poll urls.get, cancel, and verify webhooks."""

from genmedia.adapters.providers.replicate.provider import ReplicateProvider
from genmedia.adapters.providers.replicate.webhooks import (
    ReplicateWebhookVerifier,
    WebhookRejected,
    verify_webhook,
)

__all__ = ["ReplicateProvider", "ReplicateWebhookVerifier", "WebhookRejected", "verify_webhook"]
