"""Access tokens (SPEC IDN-1, IDN-2): login sessions and API tokens.

A token's secret is shown once, when it is issued; only its SHA-256 is stored. Secrets are
256 random bits, so a fast hash is enough: no one can guess one to test against the hash.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime, timedelta

import attrs

from genmedia.domain.stored import Stored
from genmedia.domain.text import single_line
from genmedia.domain.user import User

TOKEN_NAME_LIMIT = 128


class TokenKind(enum.Enum):
    """A session from a login (it expires) or a named API token (it lasts until deleted)."""

    SESSION = "session"
    API = "api"


PREFIXES = {TokenKind.SESSION: "gms_", TokenKind.API: "gma_"}


def token_hash(secret: str) -> str:
    """The stored form of a token's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _token_name(value: str | None) -> str | None:
    return None if value is None else single_line("name", value, TOKEN_NAME_LIMIT)


@attrs.define(slots=False, eq=False, kw_only=True)
class AccessToken(Stored):
    """A bearer token of one user; `secret` is set only on the token just issued."""

    id: int | None = None
    user_id: int
    kind: TokenKind
    name: str | None = attrs.field(default=None, converter=_token_name)
    token_hash: str
    created_at: datetime | None = None
    expires_at: datetime | None = None
    secret: str | None = attrs.field(default=None, repr=False)

    @classmethod
    def issue(
        cls,
        user: User,
        kind: TokenKind,
        now: datetime,
        *,
        lifetime: timedelta | None = None,
        name: str | None = None,
    ) -> AccessToken:
        """A new token for the user, with its secret; a session lives for `lifetime`."""
        secret = PREFIXES[kind] + secrets.token_urlsafe(32)
        return cls(
            user_id=user.id or 0,
            kind=kind,
            name=name,
            token_hash=token_hash(secret),
            created_at=now,
            expires_at=now + lifetime if lifetime is not None else None,
            secret=secret,
        )

    def admits(self, user: User, now: datetime) -> bool:
        """Whether this token, held by `user`, authenticates a call made at `now`."""
        unexpired = self.expires_at is None or now < self.expires_at
        return unexpired and user.is_active and user.id == self.user_id
