"""Sessions and API tokens: register, log in and out, authenticate (SPEC IDN-1, IDN-2)."""

from __future__ import annotations

from datetime import timedelta

import attrs

from genmedia.application.identity.commands import CreateUser, IssueApiToken, LogIn, Register
from genmedia.application.identity.users import add_with_wallet, new_user
from genmedia.application.ports import Clock, Counters, PasswordHasher, UnitOfWork
from genmedia.domain import postings
from genmedia.domain.errors import FieldError, InvalidCredentials, InvalidToken, TooManyAttempts
from genmedia.domain.limits import Limit
from genmedia.domain.tokens import AccessToken, TokenKind, token_hash
from genmedia.domain.user import User, normalise_email

SWEEP_BATCH = 500


@attrs.frozen(kw_only=True)
class SessionPolicy:
    """How long a session lasts, and how many failed logins an account and an address get."""

    lifetime: timedelta
    per_account: Limit
    per_address: Limit


@attrs.frozen
class Authenticated:
    """The caller of an API call: the user and the token they presented."""

    user: User
    token: AccessToken


def register(
    cmd: Register,
    *,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    clock: Clock,
    policy: SessionPolicy,
    welcome_credits: int = postings.WELCOME_CREDITS,
) -> Authenticated:
    """Create the user with a wallet of welcome credits, and a first session; one commit."""
    create = CreateUser(email=cmd.email, name=cmd.name, password=cmd.password)
    user = new_user(create, hasher=hasher, clock=clock)
    with uow:
        user = add_with_wallet(user, uow=uow, welcome_credits=welcome_credits)
        session = uow.tokens.add(_session(user, clock, policy))
        uow.commit()
    return Authenticated(user, session)


def _session(user: User, clock: Clock, policy: SessionPolicy) -> AccessToken:
    return AccessToken.issue(user, TokenKind.SESSION, clock.now(), lifetime=policy.lifetime)


def _throttle_keys(cmd: LogIn, policy: SessionPolicy) -> list[tuple[str, Limit]]:
    try:
        account = normalise_email(cmd.email)
    except FieldError:
        account = cmd.email.strip().lower()
    return [
        (f"login:account:{account}", policy.per_account),
        (f"login:address:{cmd.address}", policy.per_address),
    ]


def log_in(
    cmd: LogIn,
    *,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    clock: Clock,
    counters: Counters,
    policy: SessionPolicy,
) -> AccessToken:
    """A new session for the e-mail and password; the same InvalidCredentials whatever is
    wrong, after the same work; TooManyAttempts once the account or address failed too often."""
    keys = _throttle_keys(cmd, policy)
    for key, limit in keys:
        count = counters.peek(key)
        if limit.reached(count.hits):
            raise TooManyAttempts(count.resets_in)
    with uow:
        user = uow.users.get_by_email(keys[0][0].removeprefix("login:account:"))
    try:
        matches = _password_matches(user, cmd.password, hasher)
        if user is None or not matches:
            raise InvalidCredentials()
        user.log_in(clock.now())
    except InvalidCredentials:
        for key, limit in keys:
            counters.hit(key, limit.seconds)
        raise
    counters.clear(keys[0][0])
    with uow:
        uow.users.save_login(user)
        session = uow.tokens.add(_session(user, clock, policy))
        uow.commit()
    return session


def _password_matches(user: User | None, password: str, hasher: PasswordHasher) -> bool:
    if user is None or user.password_hash is None:
        return hasher.verify_nothing(password)
    return hasher.verify(password, user.password_hash)


def authenticate(secret: str, *, uow: UnitOfWork, clock: Clock) -> Authenticated:
    """The user and token a bearer secret stands for, or InvalidToken."""
    with uow:
        found = uow.tokens.holder(token_hash(secret))
    if found is None or not found[0].admits(found[1], clock.now()):
        raise InvalidToken()
    return Authenticated(found[1], found[0])


def log_out(caller: Authenticated, *, uow: UnitOfWork) -> None:
    """End the caller's session (or delete the API token they called with)."""
    with uow:
        uow.tokens.delete(caller.token.id or 0, caller.user.id or 0)
        uow.commit()


def issue_api_token(cmd: IssueApiToken, *, uow: UnitOfWork, clock: Clock) -> AccessToken:
    """A new named API token; its secret is on the returned token and never stored."""
    with uow:
        user = uow.users.get(cmd.user_id)
        token = uow.tokens.add(AccessToken.issue(user, TokenKind.API, clock.now(), name=cmd.name))
        uow.commit()
    return token


def revoke_api_token(user_id: int, token_id: int, *, uow: UnitOfWork) -> None:
    """Delete one of the user's API tokens, or NotFound."""
    with uow:
        uow.tokens.delete(token_id, user_id, TokenKind.API)
        uow.commit()


def expire_sessions(*, uow: UnitOfWork, clock: Clock) -> int:
    """Delete a batch of expired sessions; how many went."""
    with uow:
        deleted = uow.tokens.delete_expired(clock.now(), SWEEP_BATCH)
        uow.commit()
    return deleted
