"""Slugs: the short, readable, unique names that stand for an object in a URL."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from genmedia.domain.errors import InvalidValue

MAX_SLUG = 120
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Latin letters that Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans(
    {"đ": "d", "ð": "d", "ø": "o", "ł": "l", "æ": "ae", "œ": "oe", "ß": "ss", "þ": "th"}
)
_FALLBACK = "article"


def check_slug(value: str, field: str = "slug") -> str:
    """The slug, or InvalidValue naming `field` unless it is 1 to MAX_SLUG lower-case
    letters, digits and single inner hyphens."""
    if len(value) > MAX_SLUG or not SLUG_PATTERN.match(value):
        raise InvalidValue(
            field,
            f"must be 1 to {MAX_SLUG} characters: lower-case letters, digits and single "
            "hyphens between them",
        )
    return value


def slug_of(text: str, fallback: str = _FALLBACK) -> str:
    """A slug made from a title: accents dropped, words joined by hyphens; `fallback` when
    the title has no latin letter or digit."""
    plain = unicodedata.normalize("NFKD", text.lower().translate(_UNDECOMPOSED))
    ascii_only = plain.encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_only)
    slug = ""
    for word in words:
        longer = f"{slug}-{word}" if slug else word
        if len(longer) > MAX_SLUG:
            break
        slug = longer
    return slug or fallback


def slug_candidates(base: str, tries: int) -> Iterator[str]:
    """`base`, then `base-2`, `base-3` … (each within MAX_SLUG): `tries` slugs to try in turn
    until one is free."""
    yield base
    for n in range(2, tries + 1):
        suffix = f"-{n}"
        yield base[: MAX_SLUG - len(suffix)].rstrip("-") + suffix
