"""The commands of the identity use cases."""

from __future__ import annotations

import attrs


@attrs.frozen(kw_only=True)
class CreateUser:
    """Register a user."""

    email: str
    name: str | None = None
    password: str | None = None
    is_admin: bool = False
