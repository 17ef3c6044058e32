"""Black Forest Labs (FLUX) over its HTTP API: submit, poll get_result, fetch the sample."""

from genmedia.adapters.providers.bfl.provider import BflProvider
from genmedia.adapters.providers.bfl.webhook import BflWebhookVerifier

__all__ = ["BflProvider", "BflWebhookVerifier"]
