"""Rules for free text that people type: names, labels, prompts."""

from __future__ import annotations

import unicodedata

from genmedia.domain.errors import InvalidValue


def has_control_characters(text: str) -> bool:
    """Whether the text holds a control character other than tab, newline or return."""
    return any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in text)


def single_line(field: str, value: str, limit: int) -> str:
    """The text on one line with its runs of white space made single spaces, or
    InvalidValue naming the field if it is empty, longer than `limit` or holds control
    characters."""
    if has_control_characters(value):
        raise InvalidValue(field, "must not contain control characters")
    text = " ".join(value.split())
    if not text or len(text) > limit:
        raise InvalidValue(field, f"must have 1 to {limit} characters")
    return text
