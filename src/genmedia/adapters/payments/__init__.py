"""Payment providers' notifications, verified and read into PaymentNotification."""

from genmedia.adapters.payments.signed_webhook import SignedWebhookVerifier, sign
from genmedia.adapters.payments.telegram_stars import TelegramStarsVerifier

__all__ = ["SignedWebhookVerifier", "TelegramStarsVerifier", "sign"]
