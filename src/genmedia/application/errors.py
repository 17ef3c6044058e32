"""Errors raised by ports and use cases, outside the domain's own rules."""

from __future__ import annotations

from genmedia.domain.errors import DomainError, UnsupportedMedia
from genmedia.domain.moderation import ModerationStage

__all__ = [
    "LinkExpired",
    "LinkForged",
    "ProviderError",
    "ServiceUnavailable",
    "StaleAggregate",
    "UndecryptableSecret",
    "UnsupportedMedia",
]


class StaleAggregate(DomainError):
    """Another transaction changed the aggregate since it was loaded; retry the use case."""

    code = "conflict"


class UndecryptableSecret(DomainError):
    """An encrypted setting that no configured key decrypts (the key was lost or replaced
    without being kept in GENMEDIA_SECRET_KEY_OLD): set its value again."""

    code = "conflict"

    def __init__(self, key: str | None = None) -> None:
        what = f"setting {key!r}" if key else "a setting"
        super().__init__(f"{what} cannot be decrypted with the configured keys; set it again")
        self.key = key


class ServiceUnavailable(DomainError):
    """A service the call needs did not answer (e.g. a provider's published keys); the
    caller may try again later."""

    code = "unavailable"


class LinkForged(DomainError):
    """A signed link whose signature does not match what it names."""

    code = "forbidden"


class LinkExpired(DomainError):
    """A signed link used after its expiry."""

    code = "link_expired"


RATE_LIMITED = "rate_limited"


class ProviderError(Exception):
    """A provider refused or failed a call; `retryable` says whether trying again can help."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        retryable: bool = False,
        retry_after: float | None = None,
        moderation: ModerationStage | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after
        # For content_moderated: the stage that was blocked, if the provider says.
        self.moderation = moderation

    @property
    def rate_limited(self) -> bool:
        """Whether the provider only asked us to wait (HTTP 429): no attempt is spent."""
        return self.code == RATE_LIMITED
