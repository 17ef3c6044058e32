"""Users (SPEC IDN-1)."""

from __future__ import annotations

import re
from datetime import datetime

import attrs

from genmedia.domain.errors import InvalidCredentials, InvalidValue
from genmedia.domain.stored import Stored
from genmedia.domain.text import single_line

_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")
NAME_LIMIT = 128


def normalise_email(email: str) -> str:
    """The canonical form of an e-mail address, or InvalidValue naming the field."""
    value = email.strip().lower()
    if len(value) > 254 or not _EMAIL.match(value):
        raise InvalidValue("email", "is not a valid e-mail address")
    return value


def _name(value: str | None) -> str | None:
    return None if value is None else single_line("name", value, NAME_LIMIT)


@attrs.define(slots=False, eq=False, kw_only=True)
class User(Stored):
    """Someone who makes requests, owns media and (later) a wallet."""

    id: int | None = None
    email: str = attrs.field(converter=normalise_email)
    name: str | None = attrs.field(default=None, converter=_name)
    password_hash: str | None = None
    is_admin: bool = False
    is_active: bool = True
    priority: int = 0
    telegram_id: str | None = None
    social_login_provider: str | None = None
    created_at: datetime | None = None
    last_login_at: datetime | None = None

    def log_in(self, now: datetime) -> None:
        """Record a login at `now`; an inactive user may not log in."""
        if not self.is_active:
            raise InvalidCredentials()
        self.last_login_at = now
