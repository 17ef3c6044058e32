"""Ports of operations: retention, statistics and metrics."""

from __future__ import annotations

import abc
from datetime import datetime


class RetentionRepository(abc.ABC):
    """Pruning of rows kept only for a while (SPEC GEN-11)."""

    @abc.abstractmethod
    def delete_finished_jobs(self, before: datetime, limit: int) -> int:
        """Hard-delete up to `limit` jobs that finished before `before`; return how many.

        Finished is completed, failed or cancelled. A job is kept while another job of its
        request is pending or processing, or while a credit hold on it is still pending.
        Its media keep their rows (their job_id becomes NULL), the ledger keeps naming it.
        """

    @abc.abstractmethod
    def archive_requests(self, before: datetime, now: datetime, limit: int) -> int:
        """Archive, at `now`, up to `limit` finished requests made before `before`; return
        how many. Finished is a terminal status; deleted or archived ones are left alone."""


class StatsRepository(abc.ABC):
    """Counts for monitoring, each one cheap GROUP BY over an index."""

    @abc.abstractmethod
    def count_jobs_by_status(self) -> dict[str, int]:
        """Live jobs per status; statuses without jobs may be missing."""

    @abc.abstractmethod
    def pending_by_tier(self) -> dict[str, int]:
        """Live pending jobs per priority tier (see domain.scheduling.tier_of)."""

    @abc.abstractmethod
    def waiting_on_provider(self) -> int:
        """Live running jobs that wait on their provider's task (they have one)."""


class Metrics(abc.ABC):
    """What the pipeline reports for monitoring."""

    @abc.abstractmethod
    def job_finished(self, status: str, provider: str, seconds: float) -> None:
        """A job ended (completed, failed or cancelled) after running `seconds`."""

    @abc.abstractmethod
    def job_dispatched(self, lag_seconds: float, tier: str) -> None:
        """A job was handed to the broker `lag_seconds` after it became due."""

    @abc.abstractmethod
    def provider_error(self, provider: str, code: str) -> None:
        """A provider call failed with this error code."""
