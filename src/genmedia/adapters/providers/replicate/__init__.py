"""Replicate over its predictions API: create, poll urls.get, cancel, and verify webhooks."""

from genmedia.adapters.providers.replicate.provider import ReplicateProvider
from genmedia.adapters.providers.replicate.webhooks import WebhookRejected, verify_webhook

__all__ = ["ReplicateProvider", "WebhookRejected", "verify_webhook"]
