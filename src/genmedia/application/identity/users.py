"""User use cases."""

from __future__ import annotations

from genmedia.application.identity.commands import CreateUser
from genmedia.application.ports import Clock, PasswordHasher, UnitOfWork
from genmedia.domain import postings
from genmedia.domain.errors import AlreadyExists, InvalidValue, NotFound
from genmedia.domain.user import User, normalise_email
from genmedia.domain.wallet import Wallet

MIN_PASSWORD = 8


def create_user(
    cmd: CreateUser,
    *,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    clock: Clock,
    welcome_credits: int = postings.WELCOME_CREDITS,
) -> User:
    """Register a user with a wallet holding the welcome credits; AlreadyExists if taken."""
    if cmd.password is not None and len(cmd.password) < MIN_PASSWORD:
        raise InvalidValue("password", f"must have at least {MIN_PASSWORD} characters")
    password_hash = hasher.hash(cmd.password) if cmd.password is not None else None
    email = normalise_email(cmd.email)
    with uow:
        user = uow.users.add(
            User(
                email=email,
                name=cmd.name,
                password_hash=password_hash,
                is_admin=cmd.is_admin,
                created_at=clock.now(),
            )
        )
        uow.wallets.add(Wallet(user_id=user.id or 0))
        if welcome_credits > 0:
            uow.wallets.post(user.id or 0, postings.welcome(user.id or 0, welcome_credits))
        uow.commit()
    return user


def ensure_user(
    cmd: CreateUser,
    *,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    clock: Clock,
    welcome_credits: int = postings.WELCOME_CREDITS,
) -> User:
    """The user with this e-mail, created first if missing."""
    with uow:
        existing = uow.users.get_by_email(normalise_email(cmd.email))
    if existing is not None:
        return existing
    try:
        return create_user(
            cmd, uow=uow, hasher=hasher, clock=clock, welcome_credits=welcome_credits
        )
    except AlreadyExists:
        with uow:
            found = uow.users.get_by_email(normalise_email(cmd.email))
        assert found is not None
        return found


def find_user(email: str, *, uow: UnitOfWork) -> User:
    """The user with this e-mail, or NotFound."""
    with uow:
        user = uow.users.get_by_email(normalise_email(email))
    if user is None:
        raise NotFound("user", email)
    return user
