"""Payment providers' notifications, verified and read into PaymentNotification."""

from genmedia.adapters.payments.signed_webhook import SignedWebhookVerifier
from genmedia.adapters.payments.stripe import StripeVerifier
from genmedia.adapters.payments.telegram_stars import TelegramStarsVerifier
from genmedia.adapters.payments.timestamped_hmac import sign

__all__ = ["SignedWebhookVerifier", "StripeVerifier", "TelegramStarsVerifier", "sign"]
