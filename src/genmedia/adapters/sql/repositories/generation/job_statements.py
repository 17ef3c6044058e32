"""The statements of jobs, built once on first use and bound per call.

`claim`, `begin` and `complete` are the PostgreSQL forms of `Job.claim` (with the start of
the jobs' requests, `request_progress`), of `Job.begin` where `Job.awaits_call`, and of
writing what `Job.complete` decided where the row still runs under that lease
(`runs_lease`); tests/integration/contracts/test_job_contracts.py holds each to its domain
rule. Every other write of a job is guarded by the status, lease and worker it was loaded
with (`guarded_update`).
"""

from __future__ import annotations

import functools

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.durability import relaxed_commit
from genmedia.adapters.sql.repositories.unnest import unnested
from genmedia.adapters.sql.tables import generation_jobs, generation_requests
from genmedia.domain.job import COMPLETION_FIELDS
from genmedia.domain.status import Status

_jobs = generation_jobs
_requests = generation_requests


@functools.cache
def by_id() -> sa.Select[tuple[object, ...]]:
    """The :job's row."""
    return sa.select(_jobs).where(_jobs.c.id == sa.bindparam("job"))


@functools.cache
def running_on_task() -> sa.Select[tuple[object, ...]]:
    """The rows of the running jobs recorded with the provider :task id, in id order."""
    return (
        sa.select(_jobs)
        .where(_jobs.c.provider_task_id == sa.bindparam("task"))
        .where(_jobs.c.status == Status.PROCESSING)
        .order_by(_jobs.c.id)
    )


@functools.cache
def by_ids() -> sa.Select[tuple[object, ...]]:
    """The rows of the :jobs, in id order."""
    return (
        sa.select(_jobs)
        .where(_jobs.c.id.in_(sa.bindparam("jobs", expanding=True)))
        .order_by(_jobs.c.id)
    )


@functools.cache
def lock() -> sa.Select[tuple[object, ...]]:
    """The rows of the :jobs, locked in id order."""
    return (
        sa.select(_jobs)
        .where(_jobs.c.id.in_(sa.bindparam("jobs", expanding=True)))
        .order_by(_jobs.c.id)
        .with_for_update(key_share=True)
    )


@functools.cache
def claim() -> sa.Select[tuple[object, ...]]:
    """`Job.claim` and the start of the jobs' requests in one statement: lock the pending
    :jobs in id order and update them, then lock their pending requests in id order and
    start them."""
    pending = _jobs.c.status == Status.PENDING
    asked = _jobs.c.id.in_(sa.bindparam("jobs", expanding=True))
    claimed = _claimed(_locked(_jobs, "locked", asked, pending), pending)
    waiting = _requests.c.status == Status.PENDING
    theirs = _requests.c.id.in_(sa.select(claimed.c.request_id))
    requests = _locked(_requests, "requests", theirs, waiting)
    started = (
        sa.update(_requests)
        .where(_requests.c.id == requests.c.id, waiting)
        .values(status=Status.PROCESSING)
        .cte("started")
    )
    return sa.select(claimed).add_cte(started).order_by(claimed.c.id)


def _locked(table: sa.Table, name: str, *where: sa.ColumnElement[bool]) -> sa.CTE:
    """The ids of the rows of `table` that `where` selects, locked in id order."""
    return (
        sa.select(table.c.id)
        .where(*where)
        .order_by(table.c.id)
        .with_for_update(key_share=True)
        .cte(name)
    )


def _claimed(locked: sa.CTE, pending: sa.ColumnElement[bool]) -> sa.CTE:
    """`Job.claim` written on the locked jobs that are still pending; their rows."""
    timeout = sa.bindparam("timeout", type_=sa.Interval())
    return (
        sa.update(_jobs)
        .where(_jobs.c.id == locked.c.id, pending)
        .values(
            status=Status.PROCESSING,
            worker_id=sa.bindparam("worker"),
            lease=_jobs.c.lease + 1,
            started_at=None,
            deadline_at=sa.func.coalesce(_jobs.c.deadline_at, _jobs.c.created_at + timeout),
        )
        .returning(*_jobs.c)
        .cte("claimed")
    )


@functools.cache
def begin() -> sa.Select[tuple[int, bool]]:
    """`Job.begin` from arrays of :job and :run_lease (PostgreSQL): lock in id order the
    rows that `Job.awaits_call` for :worker, begin those whose cancellation was not
    requested; the ids and cancellation flags of the rows locked.

    Its commit does not wait for the disk (`durability`): a begin lost in a crash of the
    database leaves the job as if its call had not begun (its attempt unspent, as when a
    worker dies before its call).
    """
    given = sa.select(unnested(_jobs, {"job": "id", "run_lease": "lease"})).cte("given")
    locked = (
        sa.select(_jobs.c.id, _jobs.c.cancel_requested)
        .join(given, sa.and_(_jobs.c.id == given.c.job, _jobs.c.lease == given.c.run_lease))
        .where(
            _jobs.c.status == Status.PROCESSING,
            _jobs.c.worker_id == sa.bindparam("worker"),
            _jobs.c.started_at.is_(None),
            _jobs.c.provider_task_id.is_(None),
        )
        .order_by(_jobs.c.id)
        .with_for_update(of=_jobs, key_share=True)
        .cte("locked")
    )
    begun = (
        sa.update(_jobs)
        .where(_jobs.c.id == locked.c.id, sa.not_(locked.c.cancel_requested))
        .values(attempts=_jobs.c.attempts + 1, started_at=sa.bindparam("now"))
        .cte("begun")
    )
    relaxed = relaxed_commit()
    return (
        sa.select(locked.c.id, locked.c.cancel_requested)
        .select_from(locked.join(relaxed, sa.true()))
        .add_cte(begun)
    )


@functools.cache
def start() -> sa.Update:
    """The :requests still pending start: the status a claim gives them."""
    return (
        sa.update(_requests)
        .where(
            _requests.c.id.in_(sa.bindparam("requests", expanding=True)),
            _requests.c.status == Status.PENDING,
        )
        .values(status=Status.PROCESSING)
    )


# The columns of what `Job.complete` changes (its provider cost is an amount and a unit);
# `save_completed` writes these and nothing else.
OUTCOME = (*COMPLETION_FIELDS, "provider_cost_unit")


@functools.cache
def complete() -> sa.Select[tuple[int, int, int]]:
    """`save_completed` from arrays (PostgreSQL): lock the rows still processing under the
    given lease in id order, write their outcome, then lock their requests in id order;
    the ids and leases written."""
    fields = {"job": "id", "was_lease": "lease"} | {f"v_{name}": name for name in OUTCOME}
    given = sa.select(unnested(_jobs, fields)).cte("given")
    running = sa.and_(
        _jobs.c.id == given.c.job,
        _jobs.c.lease == given.c.was_lease,
        _jobs.c.status == Status.PROCESSING,
    )
    locked = (
        sa.select(_jobs.c.id)
        .join(given, running)
        .order_by(_jobs.c.id)
        .with_for_update(of=_jobs, key_share=True)
        .cte("locked")
    )
    completed = (
        sa.update(_jobs)
        .where(_jobs.c.id == locked.c.id, running)
        .values({name: given.c[f"v_{name}"] for name in OUTCOME})
        .returning(_jobs.c.id, _jobs.c.lease, _jobs.c.request_id)
        .cte("completed")
    )
    requests = _locked(_requests, "requests", _requests.c.id.in_(sa.select(completed.c.request_id)))
    # Read by the main query: a plain SELECT in WITH runs only if something reads it.
    requests_locked = sa.select(sa.func.count()).select_from(requests).scalar_subquery()
    return sa.select(completed.c.id, completed.c.lease, requests_locked.label("requests"))


@functools.cache
def complete_one() -> sa.Update:
    """`save_completed` of one job: its outcome, where it still runs under the given lease."""
    return (
        sa.update(_jobs)
        .where(
            _jobs.c.id == sa.bindparam("job"),
            _jobs.c.lease == sa.bindparam("was_lease"),
            _jobs.c.status == Status.PROCESSING,
        )
        .values({name: sa.bindparam(f"v_{name}") for name in OUTCOME})
    )


@functools.lru_cache(maxsize=64)
def guarded_update(columns: frozenset[str]) -> sa.Update:
    """UPDATE of these columns (bound as :v_<name>) where the row is still as loaded."""
    return (
        sa.update(_jobs)
        .where(
            _jobs.c.id == sa.bindparam("job"),
            _jobs.c.status == sa.bindparam("was_status"),
            _jobs.c.lease == sa.bindparam("was_lease"),
            _jobs.c.worker_id.is_not_distinct_from(sa.bindparam("was_worker")),
        )
        .values({name: sa.bindparam(f"v_{name}") for name in sorted(columns)})
    )


@functools.lru_cache(maxsize=64)
def guarded_update_unnested(columns: frozenset[str]) -> sa.Update:
    """`_guarded_update` of many rows from arrays (PostgreSQL): same names, one statement."""
    fields = {"job": "id", "was_status": "status", "was_lease": "lease", "was_worker": "worker_id"}
    given = unnested(_jobs, fields | {f"v_{name}": name for name in sorted(columns)})
    return (
        sa.update(_jobs)
        .where(
            _jobs.c.id == given.c.job,
            _jobs.c.status == given.c.was_status,
            _jobs.c.lease == given.c.was_lease,
            _jobs.c.worker_id.is_not_distinct_from(given.c.was_worker),
        )
        .values({name: given.c[f"v_{name}"] for name in sorted(columns)})
    )
