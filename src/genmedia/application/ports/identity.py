"""Ports of identity: users and password hashing."""

from __future__ import annotations

import abc

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


class PasswordHasher(abc.ABC):
    """Hashes and checks passwords."""

    @abc.abstractmethod
    def hash(self, password: str) -> str:
        """A salted hash of the password."""

    @abc.abstractmethod
    def verify(self, password: str, hashed: str) -> bool:
        """Whether the password matches the hash."""
