"""The port of idempotency keys."""

from __future__ import annotations

import abc
from datetime import datetime

from genmedia.domain.idempotency import IdempotencyKey, StoredAnswer


class IdempotencyKeys(abc.ABC):
    """Claimed keys and the answers to their first calls; the unique (scope, key) decides
    which of two concurrent calls claims a key."""

    @abc.abstractmethod
    def claim(self, key: IdempotencyKey, now: datetime) -> bool:
        """Insert the key unless a live one of the same scope and key exists (an expired one
        is replaced); whether this call claimed it."""

    @abc.abstractmethod
    def get(self, scope: str, key: str) -> IdempotencyKey | None:
        """The claimed key, with its answer once it has one."""

    @abc.abstractmethod
    def answer(self, scope: str, key: str, answer: StoredAnswer) -> None:
        """Store the answer of the call that claimed the key."""

    @abc.abstractmethod
    def release(self, scope: str, key: str) -> None:
        """Forget a claimed key that has no answer, so that a retry runs again."""

    @abc.abstractmethod
    def delete_expired(self, now: datetime, limit: int) -> int:
        """Delete up to `limit` keys expired at `now`; how many were deleted."""
