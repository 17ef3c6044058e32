"""Contracts of the expiry rules that SQL applies: the sweepers delete exactly the sessions
the domain no longer admits and the idempotency keys it calls expired, on PostgreSQL and on
SQLite."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genmedia.adapters.sql.tables import access_tokens, idempotency_keys
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.domain.idempotency import IdempotencyKey
from genmedia.domain.tokens import AccessToken, TokenKind
from genmedia.domain.user import User

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
contract = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_serial = itertools.count()
offsets = st.lists(st.integers(-5_000_000, 5_000_000), min_size=1, max_size=6)
now_offset = st.integers(-5_000_000, 5_000_000)


def _empty(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        connection.execute(sa.delete(access_tokens))
        connection.execute(sa.delete(idempotency_keys))


def _user(uow: SqlUnitOfWork) -> User:
    return uow.users.add(User(email=f"c{next(_serial)}@example.com", created_at=NOW))


@contract
@given(lifetimes=offsets, later=now_offset)
def test_the_session_sweeper_deletes_what_the_domain_no_longer_admits(
    engine: sa.Engine, lifetimes: list[int], later: int
) -> None:
    _empty(engine)
    uow = SqlUnitOfWork(engine)
    with uow:
        user = _user(uow)
        tokens = [
            uow.tokens.add(
                AccessToken.issue(
                    user, TokenKind.SESSION, NOW, lifetime=timedelta(microseconds=micros)
                )
            )
            for micros in lifetimes
        ]
        uow.commit()
    moment = NOW + timedelta(microseconds=later)
    with uow:
        uow.tokens.delete_expired(moment, 100)
        uow.commit()
    with uow:
        kept = {t.id for t in tokens if uow.tokens.holder(t.token_hash) is not None}
    assert kept == {t.id for t in tokens if t.admits(user, moment)}


@contract
@given(lifetimes=offsets, later=now_offset)
def test_the_key_sweeper_deletes_what_the_domain_calls_expired(
    engine: sa.Engine, lifetimes: list[int], later: int
) -> None:
    _empty(engine)
    keys = [
        IdempotencyKey.claim("s", f"k{n}", "f", NOW, timedelta(microseconds=micros))
        for n, micros in enumerate(lifetimes)
    ]
    uow = SqlUnitOfWork(engine)
    with uow:
        for key in keys:
            uow.idempotency.claim(key, NOW - timedelta(days=365))
        uow.commit()
    moment = NOW + timedelta(microseconds=later)
    with uow:
        uow.idempotency.delete_expired(moment, 100)
        uow.commit()
    with uow:
        kept = {k.key for k in keys if uow.idempotency.get("s", k.key) is not None}
    assert kept == {k.key for k in keys if not k.is_expired(moment)}
