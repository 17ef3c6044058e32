"""Sessions and API tokens on fakes: register, log in (throttled), authenticate, log out."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from genmedia.application.identity import sessions
from genmedia.application.identity.commands import IssueApiToken, LogIn, Register
from genmedia.application.identity.sessions import SessionPolicy
from genmedia.domain.errors import (
    InvalidCredentials,
    InvalidInput,
    InvalidToken,
    NotFound,
    TooManyAttempts,
)
from genmedia.domain.limits import Limit
from genmedia.domain.tokens import AccessToken, TokenKind, token_hash
from tests.fakes import FakeClock, FakeCounters, FakeHasher, FakeUnitOfWork

POLICY = SessionPolicy(
    lifetime=timedelta(hours=1), per_account=Limit(3, 60), per_address=Limit(5, 60)
)
PASSWORD = "a long password"


@pytest.fixture
def hasher() -> FakeHasher:
    return FakeHasher()


@pytest.fixture
def counters() -> FakeCounters:
    return FakeCounters()


def _register(uow: FakeUnitOfWork, hasher: FakeHasher, clock: FakeClock) -> sessions.Authenticated:
    cmd = Register(email="Eve@Example.com", password=PASSWORD)
    return sessions.register(
        cmd, uow=uow, hasher=hasher, clock=clock, policy=POLICY, welcome_credits=25
    )


def _log_in(
    uow: FakeUnitOfWork,
    hasher: FakeHasher,
    clock: FakeClock,
    counters: FakeCounters,
    email: str = "eve@example.com",
    password: str = PASSWORD,
    address: str = "10.0.0.1",
) -> AccessToken:
    cmd = LogIn(email=email, password=password, address=address)
    return sessions.log_in(
        cmd, uow=uow, hasher=hasher, clock=clock, counters=counters, policy=POLICY
    )


def test_register_makes_the_user_their_wallet_and_a_session_in_one_commit(
    uow: FakeUnitOfWork, hasher: FakeHasher, clock: FakeClock
) -> None:
    commits = uow.commits
    done = _register(uow, hasher, clock)
    assert uow.commits == commits + 1
    assert done.user.email == "eve@example.com"
    assert done.token.secret is not None
    assert done.token.token_hash == token_hash(done.token.secret)
    assert done.token.expires_at == clock.now() + POLICY.lifetime
    with uow:
        assert uow.wallets.get(done.user.id or 0).balance == 25
        assert uow.tokens.holder(done.token.token_hash) is not None


def test_register_names_every_bad_field_and_stores_nothing(
    uow: FakeUnitOfWork, hasher: FakeHasher, clock: FakeClock
) -> None:
    with pytest.raises(InvalidInput) as raised:
        sessions.register(
            Register(email="nope", password="short"),
            uow=uow,
            hasher=hasher,
            clock=clock,
            policy=POLICY,
        )
    assert [e.field for e in raised.value.field_errors()] == ["email", "password"]
    assert uow.db.tokens == {}


def test_an_unknown_e_mail_costs_a_password_check_like_a_wrong_password(
    uow: FakeUnitOfWork, hasher: FakeHasher, clock: FakeClock, counters: FakeCounters
) -> None:
    with pytest.raises(InvalidCredentials) as unknown:
        _log_in(uow, hasher, clock, counters, email="nobody@example.com")
    assert getattr(hasher, "burned", 0) == 1
    _register(uow, hasher, clock)
    with pytest.raises(InvalidCredentials) as wrong:
        _log_in(uow, hasher, clock, counters, password="not it")
    assert str(unknown.value) == str(wrong.value)


def test_a_login_sets_last_login_at_and_issues_a_session(
    uow: FakeUnitOfWork, hasher: FakeHasher, clock: FakeClock, counters: FakeCounters
) -> None:
    user = _register(uow, hasher, clock).user
    clock.advance(30)
    session = _log_in(uow, hasher, clock, counters, email="EVE@example.com")
    with uow:
        assert uow.users.get(user.id or 0).last_login_at == clock.now()
    assert session.kind is TokenKind.SESSION


def test_failed_logins_are_throttled_per_account_and_cleared_by_a_success(
    uow: FakeUnitOfWork, hasher: FakeHasher, clock: FakeClock, counters: FakeCounters
) -> None:
    _register(uow, hasher, clock)
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            _log_in(uow, hasher, clock, counters, password="wrong")
    _log_in(uow, hasher, clock, counters)
    assert counters.peek("login:account:eve@example.com").hits == 0
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            _log_in(uow, hasher, clock, counters, password="wrong")
    with pytest.raises(TooManyAttempts):
        _log_in(uow, hasher, clock, counters)


def test_failed_logins_are_throttled_per_address(
    uow: FakeUnitOfWork, hasher: FakeHasher, clock: FakeClock, counters: FakeCounters
) -> None:
    _register(uow, hasher, clock)
    for n in range(5):
        with pytest.raises(InvalidCredentials):
            _log_in(uow, hasher, clock, counters, email=f"x{n}@example.com")
    with pytest.raises(TooManyAttempts):
        _log_in(uow, hasher, clock, counters)
    _log_in(uow, hasher, clock, counters, address="10.0.0.2")


def test_authenticate_refuses_expired_unknown_and_inactive(
    uow: FakeUnitOfWork, hasher: FakeHasher, clock: FakeClock
) -> None:
    done = _register(uow, hasher, clock)
    secret = done.token.secret or ""
    assert sessions.authenticate(secret, uow=uow, clock=clock).user.id == done.user.id
    with pytest.raises(InvalidToken):
        sessions.authenticate("gms_unknown", uow=uow, clock=clock)
    clock.advance(POLICY.lifetime.total_seconds())
    with pytest.raises(InvalidToken):
        sessions.authenticate(secret, uow=uow, clock=clock)


def test_an_inactive_user_is_neither_logged_in_nor_authenticated(
    uow: FakeUnitOfWork, hasher: FakeHasher, clock: FakeClock, counters: FakeCounters
) -> None:
    done = _register(uow, hasher, clock)
    user_id = done.user.id or 0
    uow.db.users[user_id] = attrs.evolve(uow.db.users[user_id], is_active=False)
    with pytest.raises(InvalidToken):
        sessions.authenticate(done.token.secret or "", uow=uow, clock=clock)
    with pytest.raises(InvalidCredentials):
        _log_in(uow, hasher, clock, counters)


def test_api_tokens_are_issued_named_and_deleted_only_by_their_owner(
    uow: FakeUnitOfWork, hasher: FakeHasher, clock: FakeClock
) -> None:
    done = _register(uow, hasher, clock)
    user_id = done.user.id or 0
    token = sessions.issue_api_token(
        IssueApiToken(user_id=user_id, name=" ci "), uow=uow, clock=clock
    )
    assert token.name == "ci"
    assert token.expires_at is None
    with pytest.raises(NotFound):
        sessions.revoke_api_token(user_id + 1, token.id or 0, uow=uow)
    with pytest.raises(NotFound):
        sessions.revoke_api_token(user_id, done.token.id or 0, uow=uow)
    sessions.revoke_api_token(user_id, token.id or 0, uow=uow)
    with pytest.raises(InvalidToken):
        sessions.authenticate(token.secret or "", uow=uow, clock=clock)


def test_log_out_deletes_the_token_used(
    uow: FakeUnitOfWork, hasher: FakeHasher, clock: FakeClock
) -> None:
    done = _register(uow, hasher, clock)
    sessions.log_out(done, uow=uow)
    with pytest.raises(InvalidToken):
        sessions.authenticate(done.token.secret or "", uow=uow, clock=clock)


def test_expired_sessions_are_swept(
    uow: FakeUnitOfWork, hasher: FakeHasher, clock: FakeClock
) -> None:
    _register(uow, hasher, clock)
    assert sessions.expire_sessions(uow=uow, clock=clock) == 0
    clock.advance(POLICY.lifetime.total_seconds())
    assert sessions.expire_sessions(uow=uow, clock=clock) == 1
