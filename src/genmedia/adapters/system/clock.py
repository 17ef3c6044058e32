"""The system clock."""

from __future__ import annotations

from datetime import UTC, datetime

from genmedia.application.ports import Clock


class SystemClock(Clock):
    """Reads the machine's clock in UTC."""

    def now(self) -> datetime:
        """The current time, timezone-aware in UTC."""
        return datetime.now(UTC)
