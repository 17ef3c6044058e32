"""The API token, kept out of reprs, logs and error messages."""

from __future__ import annotations

_MASK = "***"


class ApiKey:
    """A Replicate API token; its repr and str never show it, and `scrub` hides it in any text."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not value or not value.strip():
            raise ValueError("the Replicate api key must not be empty")
        self._value = value

    def bearer(self) -> str:
        """The `Authorization` header's value, for API requests only."""
        return f"Bearer {self._value}"

    def scrub(self, text: str) -> str:
        """The text with every occurrence of the token masked."""
        return text.replace(self._value, _MASK)

    def __repr__(self) -> str:
        return f"ApiKey({_MASK})"

    __str__ = __repr__
