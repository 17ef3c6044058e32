"""Bodies of the Identity routes (API.md, Identity)."""

from __future__ import annotations

from datetime import datetime

import attrs

from genmedia.domain.tokens import AccessToken
from genmedia.domain.user import User
from genmedia.domain.wallet import Wallet


@attrs.frozen(kw_only=True)
class RegisterBody:
    """A new account."""

    email: str
    password: str = attrs.field(repr=False)
    name: str | None = None


@attrs.frozen(kw_only=True)
class LoginBody:
    """The credentials of an account."""

    email: str
    password: str = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class ApiTokenBody:
    """The name of a new API token."""

    name: str


@attrs.frozen(kw_only=True)
class UserView:
    """A user."""

    id: int
    email: str
    name: str | None
    is_admin: bool
    created_at: datetime | None
    last_login_at: datetime | None


@attrs.frozen(kw_only=True)
class WalletSummary:
    """A wallet's credits: `available` is `balance` minus what is `held` for running jobs."""

    balance: int
    held: int
    available: int


@attrs.frozen(kw_only=True)
class MeView(UserView):
    """The caller, with their wallet."""

    wallet: WalletSummary


@attrs.frozen(kw_only=True)
class RegisteredView:
    """A new account and its first session token."""

    user: UserView
    token: str
    expires_at: datetime | None


@attrs.frozen(kw_only=True)
class SessionView:
    """A session token (shown once) and when it expires."""

    token: str
    expires_at: datetime | None


@attrs.frozen(kw_only=True)
class ApiTokenView:
    """A new API token; `token` is shown only in this answer."""

    id: int
    name: str | None
    token: str


def user_view(user: User) -> UserView:
    """A user as the API shows it."""
    return UserView(
        id=user.id or 0,
        email=user.email,
        name=user.name,
        is_admin=user.is_admin,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


def me_view(user: User, wallet: Wallet) -> MeView:
    """The caller and their wallet."""
    return MeView(
        **attrs.asdict(user_view(user), recurse=False),
        wallet=WalletSummary(balance=wallet.balance, held=wallet.held, available=wallet.available),
    )


def registered_view(user: User, session: AccessToken) -> RegisteredView:
    """A new account with its session."""
    return RegisteredView(
        user=user_view(user), token=session.secret or "", expires_at=session.expires_at
    )


def session_view(session: AccessToken) -> SessionView:
    """A new session."""
    return SessionView(token=session.secret or "", expires_at=session.expires_at)


def api_token_view(token: AccessToken) -> ApiTokenView:
    """A new API token, its secret included this once."""
    return ApiTokenView(id=token.id or 0, name=token.name, token=token.secret or "")
