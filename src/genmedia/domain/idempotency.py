"""Idempotency keys: a retried call with the same key gets the first call's answer.

A key belongs to one caller (its `scope`). The first call with it claims it; a later call
with the same key and the same request (its fingerprint) gets the stored answer once there
is one; with a different request it is a conflict. Keys expire after their lifetime.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from genmedia.domain.errors import AlreadyUsed, DomainError, IdempotencyConflict, InvalidValue

KEY_LIMIT = 255
HEADER = "Idempotency-Key"


def checked_key(key: str) -> str:
    """The key if it is 1–255 printable ASCII characters, else InvalidValue."""
    if not 0 < len(key) <= KEY_LIMIT or not all(" " <= c <= "~" for c in key):
        raise InvalidValue(HEADER, f"must be 1 to {KEY_LIMIT} printable ASCII characters")
    return key


@attrs.frozen(kw_only=True)
class StoredAnswer:
    """The answer given to the first call: status, headers and body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


class KeyReused(IdempotencyConflict):
    """A key used again for a different request."""

    def __init__(self, key: str) -> None:
        DomainError.__init__(self, f"{HEADER} {key!r} was already used for another request")
        self.reference_id = key


class StillRunning(AlreadyUsed):
    """The first call with this key has not answered yet."""

    def __init__(self, key: str) -> None:
        super().__init__(f"a call with {HEADER} {key!r} is still running")


@attrs.frozen(kw_only=True)
class IdempotencyKey:
    """One caller's key, the fingerprint of the call that claimed it, and its answer."""

    scope: str
    key: str = attrs.field(converter=checked_key)
    fingerprint: str
    expires_at: datetime
    answer: StoredAnswer | None = None

    @classmethod
    def claim(
        cls, scope: str, key: str, fingerprint: str, now: datetime, lifetime: timedelta
    ) -> IdempotencyKey:
        """A key claimed at `now` by the call with this fingerprint."""
        return cls(scope=scope, key=key, fingerprint=fingerprint, expires_at=now + lifetime)

    def answer_for(self, fingerprint: str) -> StoredAnswer:
        """The first answer, for a retry with this fingerprint: KeyReused if the retry is
        another request, StillRunning if the first has no answer yet."""
        if fingerprint != self.fingerprint:
            raise KeyReused(self.key)
        if self.answer is None:
            raise StillRunning(self.key)
        return self.answer

    def is_expired(self, now: datetime) -> bool:
        """Whether the key has outlived its lifetime (a new call may claim it again)."""
        return self.expires_at <= now
