"""Fakes of the identity ports."""

from __future__ import annotations

from datetime import datetime

from genmedia.application.ports import (
    AccessTokenRepository,
    PasswordHasher,
    UserRepository,
)
from genmedia.domain.errors import (
    AlreadyExists,
    NotFound,
)
from genmedia.domain.tokens import AccessToken, TokenKind
from genmedia.domain.user import User
from tests.fakes.base import Repo, keyed


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

    def save_login(self, user: User) -> None:
        self.db.users[user.id or 0] = user

    def page(self, after: int | None, limit: int, email: str | None = None) -> list[User]:
        found = [u for u in self.db.users.values() if (email or "").lower() in u.email]
        key = None if after is None else (after,)
        return keyed(found, lambda u: (u.id or 0,), key, limit, descending=True)


class FakeAccessTokenRepository(Repo, AccessTokenRepository):
    def add(self, token: AccessToken) -> AccessToken:
        token.stored_as(self._new_id())
        self.db.tokens[token.id or 0] = token
        return token

    def holder(self, token_hash: str) -> tuple[AccessToken, User] | None:
        token = next((t for t in self.db.tokens.values() if t.token_hash == token_hash), None)
        if token is None or token.user_id not in self.db.users:
            return None
        return token, self.db.users[token.user_id]

    def delete(self, token_id: int, user_id: int, kind: TokenKind | None = None) -> None:
        token = self.db.tokens.get(token_id)
        if token is None or token.user_id != user_id or kind not in (None, token.kind):
            raise NotFound("token", token_id)
        del self.db.tokens[token_id]

    def delete_expired(self, now: datetime, limit: int) -> int:
        expired = [i for i, t in self.db.tokens.items() if t.expires_at and t.expires_at <= now]
        for token_id in expired[:limit]:
            del self.db.tokens[token_id]
        return len(expired[:limit])


class FakeHasher(PasswordHasher):
    def hash(self, password: str) -> str:
        return f"hashed:{password[::-1]}"

    def verify(self, password: str, hashed: str) -> bool:
        return hashed == self.hash(password)

    def verify_nothing(self, password: str) -> bool:
        self.burned = getattr(self, "burned", 0) + 1
        return False
