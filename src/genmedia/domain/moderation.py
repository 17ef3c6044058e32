"""Where a provider's moderation blocked a job: its input or its output."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

KEY = "moderation_stage"


class ModerationStage(enum.StrEnum):
    """The stage a provider's moderation blocked: the prompt or input images, or the result."""

    INPUT = "input"
    OUTPUT = "output"

    def noted(self, metadata: Mapping[str, Any] | None) -> dict[str, Any]:
        """A job's output metadata with this stage noted in it."""
        return {**(metadata or {}), KEY: self.value}

    @classmethod
    def noted_in(cls, metadata: Mapping[str, Any] | None) -> ModerationStage | None:
        """The stage noted in a job's output metadata, if any."""
        stage = (metadata or {}).get(KEY)
        return cls(stage) if stage in set(cls) else None
