"""The API key, kept out of reprs, logs and error messages."""

from __future__ import annotations

_MASK = "***"


class FalKey:
    """A fal key (`secret` or `key_id:key_secret`); its repr and str never show it, and
    `scrub` hides it, and each half of an id:secret pair, in any text."""

    __slots__ = ("_parts", "_value")

    def __init__(self, value: str) -> None:
        if not value or not value.strip():
            raise ValueError("the fal api key must not be empty")
        self._value = value
        halves = [half for half in value.split(":") if len(half) >= 8]
        self._parts = tuple(sorted({value, *halves}, key=len, reverse=True))

    def header(self) -> str:
        """The `Authorization` header's value, for fal's API requests only."""
        return f"Key {self._value}"

    def scrub(self, text: str) -> str:
        """The text with every occurrence of the key (or of a half of it) masked."""
        for part in self._parts:
            text = text.replace(part, _MASK)
        return text

    def __repr__(self) -> str:
        return f"FalKey({_MASK})"

    __str__ = __repr__
