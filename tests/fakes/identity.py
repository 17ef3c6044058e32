"""Fakes of the identity ports."""

from __future__ import annotations

from genmedia.application.ports import (
    PasswordHasher,
    UserRepository,
)
from genmedia.domain.errors import (
    AlreadyExists,
    NotFound,
)
from genmedia.domain.user import User
from tests.fakes.base import Repo


class FakeUserRepository(Repo, UserRepository):
    def add(self, user: User) -> User:
        if self.get_by_email(user.email):
            raise AlreadyExists("user", user.email)
        user.id = self._new_id()
        self.db.users[user.id] = user
        return user

    def get(self, user_id: int) -> User:
        if user_id not in self.db.users:
            raise NotFound("user", user_id)
        return self.db.users[user_id]

    def get_by_email(self, email: str) -> User | None:
        return next((u for u in self.db.users.values() if u.email == email), None)


class FakeHasher(PasswordHasher):
    def hash(self, password: str) -> str:
        return f"hashed:{password[::-1]}"

    def verify(self, password: str, hashed: str) -> bool:
        return hashed == self.hash(password)
