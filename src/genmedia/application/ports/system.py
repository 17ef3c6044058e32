"""The clock."""

from __future__ import annotations

import abc
from datetime import datetime


class Clock(abc.ABC):
    """The time source of the use cases."""

    @abc.abstractmethod
    def now(self) -> datetime:
        """The current time, timezone-aware in UTC."""
