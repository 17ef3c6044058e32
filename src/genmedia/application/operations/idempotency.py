"""Idempotency keys: one run per caller and key, its answer kept for the retries."""

from __future__ import annotations

from datetime import timedelta

import attrs

from genmedia.application.ports import Clock, UnitOfWork
from genmedia.domain.idempotency import IdempotencyKey, StillRunning, StoredAnswer

SWEEP_BATCH = 500
CLAIM_TRIES = 3


@attrs.frozen(kw_only=True)
class ClaimKey:
    """A call with an idempotency key: whose it is, the key, and what the call asks."""

    scope: str
    key: str
    fingerprint: str


def claim_key(
    cmd: ClaimKey, *, uow: UnitOfWork, clock: Clock, lifetime: timedelta
) -> StoredAnswer | None:
    """None when this call claimed the key (run it, then `answer_key` or `release_key`);
    else the first call's answer. StillRunning while the first call runs, and
    IdempotencyConflict when the key was used for another request."""
    for _ in range(CLAIM_TRIES):
        now = clock.now()
        claimed = IdempotencyKey.claim(cmd.scope, cmd.key, cmd.fingerprint, now, lifetime)
        with uow:
            if uow.idempotency.claim(claimed, now):
                uow.commit()
                return None
            first = uow.idempotency.get(cmd.scope, cmd.key)
        if first is not None and not first.is_expired(now):
            return first.answer_for(cmd.fingerprint)
    raise StillRunning(cmd.key)


def answer_key(scope: str, key: str, answer: StoredAnswer, *, uow: UnitOfWork) -> None:
    """Keep the answer of the call that claimed the key, for its retries."""
    with uow:
        uow.idempotency.answer(scope, key, answer)
        uow.commit()


def release_key(scope: str, key: str, *, uow: UnitOfWork) -> None:
    """Give up a claimed key whose call failed, so that a retry runs again."""
    with uow:
        uow.idempotency.release(scope, key)
        uow.commit()


def expire_keys(*, uow: UnitOfWork, clock: Clock) -> int:
    """Delete a batch of expired keys; how many went."""
    with uow:
        deleted = uow.idempotency.delete_expired(clock.now(), SWEEP_BATCH)
        uow.commit()
    return deleted
