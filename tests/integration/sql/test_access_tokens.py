"""Access tokens and idempotency keys in SQL, on PostgreSQL and SQLite."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.tables import users
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.domain.errors import NotFound
from genmedia.domain.idempotency import IdempotencyKey, StoredAnswer
from genmedia.domain.tokens import AccessToken, TokenKind
from genmedia.domain.user import User

pytestmark = pytest.mark.integration

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def _user(engine: sa.Engine, email: str = "t@example.com") -> User:
    uow = SqlUnitOfWork(engine)
    with uow:
        user = uow.users.add(User(email=email, created_at=NOW))
        uow.commit()
    return user


def _token(
    engine: sa.Engine,
    user: User,
    kind: TokenKind,
    lifetime: timedelta | None = None,
    name: str | None = None,
) -> AccessToken:
    uow = SqlUnitOfWork(engine)
    token = AccessToken.issue(user, kind, NOW, lifetime=lifetime, name=name)
    with uow:
        uow.tokens.add(token)
        uow.commit()
    return token


def test_a_token_is_found_by_its_hash_with_its_user(engine: sa.Engine) -> None:
    user = _user(engine)
    token = _token(engine, user, TokenKind.SESSION, lifetime=timedelta(hours=1))
    with SqlUnitOfWork(engine) as uow:
        found = uow.tokens.holder(token.token_hash)
    assert found is not None
    stored, holder = found
    assert (stored.id, stored.kind, stored.expires_at) == (
        token.id,
        TokenKind.SESSION,
        token.expires_at,
    )
    assert stored.secret is None
    assert holder.email == user.email


def test_a_soft_deleted_user_holds_no_token(engine: sa.Engine) -> None:
    user = _user(engine)
    token = _token(engine, user, TokenKind.API, name="ci")
    with engine.begin() as connection:
        connection.execute(sa.update(users).values(deleted_at=NOW))
    with SqlUnitOfWork(engine) as uow:
        assert uow.tokens.holder(token.token_hash) is None


def test_delete_needs_the_owner_and_the_kind(engine: sa.Engine) -> None:
    owner, other = _user(engine), _user(engine, "o@example.com")
    session = _token(engine, owner, TokenKind.SESSION, lifetime=timedelta(hours=1))
    uow = SqlUnitOfWork(engine)
    with uow, pytest.raises(NotFound):
        uow.tokens.delete(session.id or 0, other.id or 0)
    with uow, pytest.raises(NotFound):
        uow.tokens.delete(session.id or 0, owner.id or 0, TokenKind.API)
    with uow:
        uow.tokens.delete(session.id or 0, owner.id or 0)
        uow.commit()
    with uow:
        assert uow.tokens.holder(session.token_hash) is None


def test_expired_sessions_are_deleted_and_api_tokens_kept(engine: sa.Engine) -> None:
    user = _user(engine)
    soon = _token(engine, user, TokenKind.SESSION, lifetime=timedelta(minutes=1))
    later = _token(engine, user, TokenKind.SESSION, lifetime=timedelta(hours=1))
    api = _token(engine, user, TokenKind.API, name="ci")
    uow = SqlUnitOfWork(engine)
    with uow:
        assert uow.tokens.delete_expired(NOW + timedelta(minutes=1), 100) == 1
        uow.commit()
    with uow:
        assert uow.tokens.holder(soon.token_hash) is None
        assert uow.tokens.holder(later.token_hash) is not None
        assert uow.tokens.holder(api.token_hash) is not None


def _key(fingerprint: str = "f", lifetime: timedelta = timedelta(days=1)) -> IdempotencyKey:
    return IdempotencyKey.claim("user:1", "k", fingerprint, NOW, lifetime)


def test_a_key_is_claimed_once_then_answered(engine: sa.Engine) -> None:
    uow = SqlUnitOfWork(engine)
    answer = StoredAnswer(status=201, headers=[("content-type", "application/json")], body=b"{}")
    with uow:
        assert uow.idempotency.claim(_key(), NOW) is True
        uow.commit()
    with uow:
        assert uow.idempotency.claim(_key("other"), NOW) is False
        uow.idempotency.answer("user:1", "k", answer)
        uow.commit()
    with uow:
        stored = uow.idempotency.get("user:1", "k")
    assert stored is not None
    assert (stored.fingerprint, stored.answer) == ("f", answer)


def test_an_expired_key_is_replaced_by_a_new_claim(engine: sa.Engine) -> None:
    uow = SqlUnitOfWork(engine)
    with uow:
        uow.idempotency.claim(_key(lifetime=timedelta(seconds=10)), NOW)
        uow.commit()
    with uow:
        assert uow.idempotency.claim(_key("new"), NOW + timedelta(seconds=10)) is True
        uow.commit()
    with uow:
        stored = uow.idempotency.get("user:1", "k")
        assert stored is not None
        assert stored.fingerprint == "new"
        assert uow.idempotency.delete_expired(NOW + timedelta(days=2), 100) == 1


def test_a_released_key_without_answer_is_gone(engine: sa.Engine) -> None:
    uow = SqlUnitOfWork(engine)
    with uow:
        uow.idempotency.claim(_key(), NOW)
        uow.idempotency.release("user:1", "k")
        uow.commit()
    with uow:
        assert uow.idempotency.get("user:1", "k") is None


def test_concurrent_claims_of_one_key_have_one_winner(clean_postgres_engine: sa.Engine) -> None:
    def claim(_: int) -> bool:
        uow = SqlUnitOfWork(clean_postgres_engine)
        with uow:
            won = uow.idempotency.claim(_key(), NOW)
            uow.commit()
        return won

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(claim, range(8)))
    assert results.count(True) == 1
