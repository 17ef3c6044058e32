"""Reading a Retry-After header, in both of its forms (RFC 9110 §10.2.3)."""

from __future__ import annotations

import email.utils
import math
import re
from datetime import UTC, datetime

_SECONDS = re.compile(r"\d+(\.\d+)?")


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date (a past date
    is 0); None if absent, negative or unreadable."""
    text = (value or "").strip()
    if _SECONDS.fullmatch(text):
        seconds = float(text)
        return seconds if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
