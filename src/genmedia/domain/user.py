"""Users (SPEC IDN-1)."""

from __future__ import annotations

import re
from datetime import datetime

import attrs

from genmedia.domain.errors import InvalidValue
from genmedia.domain.stored import Stored

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    """The canonical form of an e-mail address, or InvalidValue naming the field."""
    value = email.strip().lower()
    if len(value) > 254 or not _EMAIL.match(value):
        raise InvalidValue("email", "is not a valid e-mail address")
    return value


@attrs.define(slots=False, eq=False, kw_only=True)
class User(Stored):
    """Someone who makes requests, owns media and (later) a wallet."""

    id: int | None = None
    email: str = attrs.field(converter=normalise_email)
    name: str | None = None
    password_hash: str | None = None
    is_admin: bool = False
    is_active: bool = True
    priority: int = 0
    telegram_id: str | None = None
    social_login_provider: str | None = None
    created_at: datetime | None = None
    last_login_at: datetime | None = None
