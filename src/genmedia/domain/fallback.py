"""Falling back to a legacy model when the primary provider cannot run a job (seed 000).

A template, or else its feature, may name a `legacy_provider_model_id`. A request planned
on such a choice gives each job that model as its fallback, with the parameters resolved
for it, if it takes them (`domain.planning`). A job falls back once: when its primary
provider fails it as unavailable after its attempts there are spent, or is not configured
at all. It then goes back to the queue on the fallback model, with fresh attempts, within
the deadline it already had; a task the primary still held is cancelled there first (by
the runner). It costs the credits it was quoted, whatever the fallback
model's own price: the user never pays more for a fallback.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from genmedia.domain.job_input import JobInput
from genmedia.domain.provider_cost import ProviderCost
from genmedia.domain.scheduling import Retry

# The failures of a primary provider that send a job to its fallback model.
FALLBACK_CODES = frozenset({"provider_unavailable", "provider_not_configured"})


class Fallback:
    """The acts of a job whose primary provider could not run it (part of `Job`)."""

    input: JobInput
    provider_cost: ProviderCost | None

    if TYPE_CHECKING:

        def is_past_deadline(self, now: datetime) -> bool: ...

        def requeue(self, code: str, message: str, retry: Retry) -> None: ...

    def falls_back_on(self, code: str, now: datetime) -> bool:
        """Whether failing with `code` at `now` sends the job to its fallback model rather
        than ending it: its primary provider was unavailable or is not configured, it has a
        fallback it has not used, and its deadline has not passed."""
        has_fallback = self.input.fallback is not None
        return has_fallback and code in FALLBACK_CODES and not self.is_past_deadline(now)

    def fall_back(self, code: str, message: str) -> None:
        """Send the job back to the queue on its fallback model, at once and with fresh
        attempts; its primary's failure stays its last error until the fallback runs."""
        self.input = self.input.on_fallback()
        self.provider_cost = None  # what the primary said its task cost is not this one's
        self.requeue(code, message, Retry(None, 0))
