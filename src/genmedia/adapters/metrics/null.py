"""Metrics that go nowhere, for programs that do not monitor."""

from __future__ import annotations

from genmedia.application.ports import Metrics


class NoMetrics(Metrics):
    """Metrics that go nowhere, for programs that do not monitor."""

    def job_finished(self, status: str, provider: str, seconds: float) -> None:
        """Ignore a finished job."""

    def job_dispatched(self, lag_seconds: float, tier: str) -> None:
        """Ignore a dispatch."""

    def provider_error(self, provider: str, code: str) -> None:
        """Ignore a provider error."""
