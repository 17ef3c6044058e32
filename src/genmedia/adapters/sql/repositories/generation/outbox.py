"""The jobs table read as the outbox of work to hand to the broker."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import attrs
import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository
from genmedia.adapters.sql.repositories.durability import relaxed_commit
from genmedia.adapters.sql.repositories.unnest import on_postgresql
from genmedia.adapters.sql.repositories.workers.registry import live_workers
from genmedia.adapters.sql.tables import generation_jobs, workers
from genmedia.application.ports import JobOutbox, PendingJob
from genmedia.domain.scheduling import ProviderLimits, pick_dispatchable
from genmedia.domain.status import Status

_jobs = generation_jobs


def _aware(value: datetime | str | None) -> datetime | None:
    """COALESCE loses the column type on SQLite: read its text back as aware UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _in_flight() -> sa.ColumnElement[bool]:
    return sa.or_(
        _jobs.c.status == Status.PROCESSING,
        sa.and_(_jobs.c.status == Status.PENDING, _jobs.c.dispatched_at.is_not(None)),
    )


def _undispatched() -> sa.ColumnElement[bool]:
    return sa.and_(
        _jobs.c.status == Status.PENDING,
        _jobs.c.dispatched_at.is_(None),
        _jobs.c.deleted_at.is_(None),
    )


# The dispatcher's statements run several times a second: built once, bound per round.
@functools.cache
def _in_flight_counts() -> sa.Select[Any, Any, int, int]:
    """The jobs in flight, counted by user and provider (as many rows as such pairs): all
    of them (`n`), and those not waiting on their provider's task (`busy`, see
    `PollChain.waits_on_task`)."""
    provider = sa.func.coalesce(_jobs.c.provider, "").label("provider")
    waiting = sa.and_(_jobs.c.status == Status.PROCESSING, _jobs.c.provider_task_id.is_not(None))
    busy = sa.func.count().filter(sa.not_(waiting)).label("busy")
    return (
        sa.select(_jobs.c.user_id, provider, sa.func.count().label("n"), busy)
        .where(_in_flight())
        .group_by(_jobs.c.user_id, provider)
    )


@functools.cache
def _candidates() -> sa.Select[tuple[object, ...]]:
    """Due undispatched jobs of users not :capped and of providers not :full, by priority
    then id, locked."""
    now = sa.bindparam("now", type_=_jobs.c.run_after.type)
    due = sa.or_(_jobs.c.run_after.is_(None), _jobs.c.run_after <= now)
    due_at = sa.func.coalesce(_jobs.c.run_after, _jobs.c.created_at).label("due_at")
    provider = sa.func.coalesce(_jobs.c.provider, "")
    return (
        sa.select(_jobs.c.id, _jobs.c.user_id, _jobs.c.priority, _jobs.c.provider, due_at)
        .where(
            _undispatched(),
            due,
            _jobs.c.user_id.not_in(sa.bindparam("capped", expanding=True)),
            provider.not_in(sa.bindparam("full", expanding=True)),
        )
        .order_by(_jobs.c.priority.desc(), _jobs.c.id)
        .limit(sa.bindparam("limit", type_=sa.Integer()))
        .with_for_update(skip_locked=True)
    )


@functools.cache
def _mark_dispatched() -> sa.Update:
    return (
        sa.update(_jobs)
        .where(_jobs.c.id.in_(sa.bindparam("jobs", expanding=True)), _undispatched())
        .values(dispatched_at=sa.bindparam("now", type_=_jobs.c.dispatched_at.type))
    )


@functools.cache
def _mark_dispatched_relaxed() -> sa.Update:
    """`_mark_dispatched`, committing without waiting for the disk (PostgreSQL): a mark lost
    in a crash of the database only sends the job again, and the worker's guarded claim
    runs it once."""
    return _mark_dispatched().where(sa.exists(sa.select(relaxed_commit())))


@attrs.frozen
class _InFlight:
    """Jobs in flight: in all and by user, those that hold a worker; by provider, all."""

    total: int
    by_user: dict[int, int]
    by_provider: dict[str, int]


class SqlJobOutbox(SqlRepository, JobOutbox):
    """Committed pending jobs, read and marked with guarded statements."""

    def pending(self, limit: int) -> list[PendingJob]:
        """Pending undispatched jobs, highest priority first, then oldest.

        On PostgreSQL rows another dispatcher has locked are skipped, not waited for.
        """
        query = (
            sa.select(_jobs.c.id, _jobs.c.user_id, _jobs.c.priority)
            .where(_undispatched())
            .order_by(_jobs.c.priority.desc(), _jobs.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [
            PendingJob(job_id=r.id, user_id=r.user_id, priority=r.priority)
            for r in self._all(query)
        ]

    def mark_dispatched(self, job_ids: Sequence[int], now: datetime) -> int:
        """Mark jobs dispatched if they still are pending and undispatched; return how many."""
        if not job_ids:
            return 0
        params = {"jobs": list(job_ids), "now": now}
        return self._connection.execute(_mark_dispatched(), params).rowcount

    def claim_for_dispatch(
        self,
        now: datetime,
        limit: int,
        user_cap: int,
        max_in_flight: int,
        limits: ProviderLimits | None = None,
    ) -> list[PendingJob]:
        """Pick the jobs to send now and mark them dispatched, in this transaction."""
        flying = self._flying()
        room = min(limit, max_in_flight - flying.total)
        if room <= 0:
            return []
        limits = limits or ProviderLimits()
        capped = sorted(user for user, n in flying.by_user.items() if n >= user_cap)
        full = limits.full(flying.by_provider)
        params = {"capped": capped, "full": full, "now": now, "limit": room * 4}
        candidates = [
            PendingJob(r.id, r.user_id, r.priority, _aware(r.due_at), r.provider or "")
            for r in self._connection.execute(_candidates(), params)
        ]
        chosen = pick_dispatchable(
            candidates,
            flying.by_user,
            user_cap,
            room,
            limits=limits,
            provider_in_flight=flying.by_provider,
        )
        if chosen:
            self._mark([job.job_id for job in chosen], now)
        return chosen

    def _flying(self) -> _InFlight:
        total, by_user, by_provider = 0, Counter[int](), Counter[str]()
        for row in self._connection.execute(_in_flight_counts()):
            total += row.busy
            by_user[row.user_id] += row.busy
            by_provider[row.provider] += row.n
        return _InFlight(total, dict(by_user), dict(by_provider))

    def _mark(self, job_ids: list[int], now: datetime) -> None:
        relaxed = on_postgresql(self._connection)
        statement = _mark_dispatched_relaxed() if relaxed else _mark_dispatched()
        self._connection.execute(statement, {"jobs": job_ids, "now": now})

    def unmark(self, job_ids: Sequence[int]) -> int:
        """Pending jobs whose message was not sent become dispatchable again."""
        if not job_ids:
            return 0
        statement = (
            sa.update(_jobs)
            .where(_jobs.c.id.in_(list(job_ids)), _jobs.c.status == Status.PENDING)
            .values(dispatched_at=None)
        )
        return self._connection.execute(statement).rowcount

    def redispatch_stale(self, dispatched_before: datetime) -> int:
        """Pending jobs dispatched long ago lost their message: make them dispatchable again."""
        statement = (
            sa.update(_jobs)
            .where(
                _jobs.c.status == Status.PENDING,
                _jobs.c.dispatched_at.is_not(None),
                _jobs.c.dispatched_at < dispatched_before,
            )
            .values(dispatched_at=None)
        )
        return self._connection.execute(statement).rowcount

    def orphaned(self, heartbeat_before: datetime, limit: int, *, after: int = 0) -> list[int]:
        """Running jobs above `after` that `Job.is_orphaned` with no poll queued: their
        worker is stopped, silent since then or never seen, or they have none and their
        poll came due before then."""
        alive = sa.select(workers.c.id).where(live_workers(heartbeat_before))
        overdue = sa.or_(_jobs.c.run_after.is_(None), _jobs.c.run_after < heartbeat_before)
        query = (
            sa.select(_jobs.c.id)
            .where(
                _jobs.c.status == Status.PROCESSING,
                _jobs.c.id > after,
                sa.or_(
                    sa.and_(_jobs.c.worker_id.is_not(None), _jobs.c.worker_id.not_in(alive)),
                    sa.and_(_jobs.c.worker_id.is_(None), overdue),
                ),
            )
            .order_by(_jobs.c.id)
            .limit(limit)
        )
        return [row.id for row in self._all(query)]

    def count_unfinished(self, request_ids: Sequence[int]) -> int:
        """How many live jobs of these requests are still pending or processing."""
        if not request_ids:
            return 0
        query = sa.select(sa.func.count()).where(
            _jobs.c.request_id.in_(list(request_ids)),
            _jobs.c.status.in_([status for status in Status if not status.is_terminal]),
            _jobs.c.deleted_at.is_(None),
        )
        return int(self._connection.execute(query).scalar_one())
