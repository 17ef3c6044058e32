"""Idempotency keys on fakes: claim once, replay the answer, refuse another request."""

from __future__ import annotations

from datetime import timedelta

import pytest

from genmedia.application.operations import idempotency
from genmedia.application.operations.idempotency import ClaimKey
from genmedia.domain.errors import IdempotencyConflict, InvalidValue
from genmedia.domain.idempotency import StillRunning, StoredAnswer
from tests.fakes import FakeClock, FakeUnitOfWork

DAY = timedelta(days=1)
ANSWER = StoredAnswer(status=201, headers=[("content-type", "application/json")], body=b"{}")
CALL = ClaimKey(scope="user:1", key="k", fingerprint="f1")


def _claim(uow: FakeUnitOfWork, clock: FakeClock, cmd: ClaimKey = CALL) -> StoredAnswer | None:
    return idempotency.claim_key(cmd, uow=uow, clock=clock, lifetime=DAY)


def test_the_first_call_claims_the_key_and_its_retry_gets_the_answer() -> None:
    uow, clock = FakeUnitOfWork(), FakeClock()
    assert _claim(uow, clock) is None
    with pytest.raises(StillRunning):
        _claim(uow, clock)
    idempotency.answer_key("user:1", "k", ANSWER, uow=uow)
    assert _claim(uow, clock) == ANSWER


def test_the_key_with_another_request_is_a_conflict() -> None:
    uow, clock = FakeUnitOfWork(), FakeClock()
    _claim(uow, clock)
    idempotency.answer_key("user:1", "k", ANSWER, uow=uow)
    with pytest.raises(IdempotencyConflict):
        _claim(uow, clock, ClaimKey(scope="user:1", key="k", fingerprint="f2"))


def test_a_released_key_is_claimed_again() -> None:
    uow, clock = FakeUnitOfWork(), FakeClock()
    _claim(uow, clock)
    idempotency.release_key("user:1", "k", uow=uow)
    assert _claim(uow, clock) is None


def test_an_answer_is_kept_once() -> None:
    uow, clock = FakeUnitOfWork(), FakeClock()
    _claim(uow, clock)
    idempotency.answer_key("user:1", "k", ANSWER, uow=uow)
    idempotency.answer_key("user:1", "k", StoredAnswer(status=500, headers=[], body=b""), uow=uow)
    idempotency.release_key("user:1", "k", uow=uow)
    assert _claim(uow, clock) == ANSWER


def test_an_expired_key_is_claimed_anew_and_swept() -> None:
    uow, clock = FakeUnitOfWork(), FakeClock()
    _claim(uow, clock)
    idempotency.answer_key("user:1", "k", ANSWER, uow=uow)
    clock.advance(DAY.total_seconds())
    assert idempotency.expire_keys(uow=uow, clock=clock) == 1
    assert _claim(uow, clock) is None


def test_keys_are_one_to_255_printable_characters() -> None:
    uow, clock = FakeUnitOfWork(), FakeClock()
    for bad in ("", "x" * 256, "new\nline"):
        with pytest.raises(InvalidValue):
            _claim(uow, clock, ClaimKey(scope="s", key=bad, fingerprint="f"))
    assert _claim(uow, clock, ClaimKey(scope="s", key="x" * 255, fingerprint="f")) is None
