"""The commands of the identity use cases."""

from __future__ import annotations

import attrs


@attrs.frozen(kw_only=True)
class CreateUser:
    """Register a user."""

    email: str
    name: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    is_admin: bool = False


@attrs.frozen(kw_only=True)
class Register:
    """Sign up with an e-mail and a password, and start a session."""

    email: str
    password: str = attrs.field(repr=False)
    name: str | None = None


@attrs.frozen(kw_only=True)
class LogIn:
    """Start a session with an e-mail and a password, from a client address."""

    email: str
    password: str = attrs.field(repr=False)
    address: str = "unknown"


@attrs.frozen(kw_only=True)
class IssueApiToken:
    """Create a named API token for a user."""

    user_id: int
    name: str
