"""User use cases: creating users (with their wallet) and finding them."""

from __future__ import annotations

from genmedia.application.identity.commands import CreateUser
from genmedia.application.ports import Clock, PasswordHasher, UnitOfWork
from genmedia.domain import postings
from genmedia.domain.errors import (
    AlreadyExists,
    FieldError,
    InvalidValue,
    NotFound,
    raise_collected,
)
from genmedia.domain.user import User, normalise_email
from genmedia.domain.wallet import Wallet

MIN_PASSWORD = 8


def new_user(cmd: CreateUser, *, hasher: PasswordHasher, clock: Clock) -> User:
    """The user a command describes, its password hashed; every bad field is named."""
    errors: list[FieldError] = []
    try:
        email = normalise_email(cmd.email)
    except FieldError as error:
        errors.append(error)
    if cmd.password is not None and len(cmd.password) < MIN_PASSWORD:
        errors.append(InvalidValue("password", f"must have at least {MIN_PASSWORD} characters"))
    raise_collected(errors)
    return User(
        email=email,
        name=cmd.name,
        password_hash=hasher.hash(cmd.password) if cmd.password is not None else None,
        is_admin=cmd.is_admin,
        created_at=clock.now(),
    )


def add_with_wallet(user: User, *, uow: UnitOfWork, welcome_credits: int) -> User:
    """Insert the user and its wallet holding the welcome credits (inside `uow`)."""
    user = uow.users.add(user)
    uow.wallets.add(Wallet(user_id=user.id or 0))
    if welcome_credits > 0:
        uow.wallets.post(user.id or 0, postings.welcome(user.id or 0, welcome_credits))
    return user


def create_user(
    cmd: CreateUser,
    *,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    clock: Clock,
    welcome_credits: int = postings.WELCOME_CREDITS,
) -> User:
    """Register a user with a wallet holding the welcome credits; AlreadyExists if taken."""
    user = new_user(cmd, hasher=hasher, clock=clock)
    with uow:
        user = add_with_wallet(user, uow=uow, welcome_credits=welcome_credits)
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


def profile(user_id: int, *, uow: UnitOfWork) -> tuple[User, Wallet]:
    """The user and their wallet (GET /v1/me)."""
    with uow:
        return uow.users.get(user_id), uow.wallets.get(user_id)
