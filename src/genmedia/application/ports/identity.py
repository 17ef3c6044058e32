"""Ports of identity: users, access tokens and password hashing."""

from __future__ import annotations

import abc
from datetime import datetime

from genmedia.domain.tokens import AccessToken, TokenKind
from genmedia.domain.user import User


class UserRepository(abc.ABC):
    """Users by id and e-mail."""

    @abc.abstractmethod
    def add(self, user: User) -> User:
        """Insert a user and give it its id; AlreadyExists if the e-mail is taken."""

    @abc.abstractmethod
    def get(self, user_id: int) -> User:
        """The user with this id, or NotFound."""

    @abc.abstractmethod
    def get_by_email(self, email: str) -> User | None:
        """The user with this e-mail, if any."""

    @abc.abstractmethod
    def save_login(self, user: User) -> None:
        """Store the user's `last_login_at`."""

    @abc.abstractmethod
    def page(self, after: int | None, limit: int, email: str | None = None) -> list[User]:
        """Up to `limit` live users, newest first, with an id below `after` when given, whose
        e-mail contains `email` (in any case) when given."""


class AccessTokenRepository(abc.ABC):
    """Sessions and API tokens, found by the hash of their secret."""

    @abc.abstractmethod
    def add(self, token: AccessToken) -> AccessToken:
        """Insert a token and give it its id."""

    @abc.abstractmethod
    def holder(self, token_hash: str) -> tuple[AccessToken, User] | None:
        """The token with this hash and its live user, if both exist."""

    @abc.abstractmethod
    def delete(self, token_id: int, user_id: int, kind: TokenKind | None = None) -> None:
        """Delete the user's token (of `kind`, if given), or NotFound."""

    @abc.abstractmethod
    def delete_expired(self, now: datetime, limit: int) -> int:
        """Delete up to `limit` tokens expired before `now`; how many were deleted."""


class PasswordHasher(abc.ABC):
    """Hashes and checks passwords."""

    @abc.abstractmethod
    def hash(self, password: str) -> str:
        """A salted hash of the password."""

    @abc.abstractmethod
    def verify(self, password: str, hashed: str) -> bool:
        """Whether the password matches the hash."""

    @abc.abstractmethod
    def verify_nothing(self, password: str) -> bool:
        """Spend the time of a `verify` where there is no hash to check; always False."""
