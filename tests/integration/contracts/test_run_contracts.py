"""Contracts of the rules SQL applies to running jobs: beginning their provider calls and
finding the orphans, equal to what the domain decides, on PostgreSQL and on SQLite."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from genmedia.adapters.sql.tables import workers as workers_table
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.execution.steps import begin_runs
from genmedia.domain.status import Progress, Status
from tests.integration.contracts.test_job_contracts import (
    _add,
    _jobs,
    _rows,
    contract,
    job_states,
    moments,
    statuses,
)

pytestmark = pytest.mark.integration

_serial = itertools.count()


# Most jobs running under a worker, their call not begun: the cases where the rule bites.
awaiting = st.builds(
    lambda job, running, fresh: {
        **job,
        **({"status": Status.PROCESSING} if running else {}),
        **({"started_at": None, "provider_task_id": None} if fresh else {}),
    },
    job_states,
    st.integers(0, 3).map(bool),
    st.integers(0, 3).map(bool),
)


@contract
@given(
    stored=st.lists(awaiting, min_size=1, max_size=5),
    asked=st.lists(st.tuples(st.integers(0, 6), st.sampled_from([0, 0, 0, 1, -1])), max_size=6),
    worker=st.sampled_from(["w0", "w1"]),
    now=moments,
)
def test_beginning_calls_writes_job_begin_where_the_job_awaits_its_call(
    engine: sa.Engine,
    stored: list[dict[str, Any]],
    asked: list[tuple[int, int]],
    worker: str,
    now: datetime,
) -> None:
    [(_, ids)] = _add(engine, [(Progress(Status.PROCESSING, 0), stored)])
    before = _jobs(engine, ids)
    runs = {
        (ids[pick], before[ids[pick]].lease + shift) if pick < len(ids) else (max(ids) + pick, 1)
        for pick, shift in asked
    }
    expected = _jobs(engine, ids)
    decided = {}
    for job_id, lease in sorted(runs):
        job = expected.get(job_id)
        if job is not None and job.awaits_call(lease, worker):
            decided[job_id] = job.cancel_requested
            if not job.cancel_requested:
                job.begin(now)

    found = begin_runs(runs, worker, uow=SqlUnitOfWork(engine), now=now)

    assert found == decided
    assert _rows(_jobs(engine, ids)) == _rows(expected)


orphan_states = st.fixed_dictionaries(
    {
        "status": st.sampled_from([Status.PROCESSING] * 3) | statuses,
        "worker": st.sampled_from([None, None, None, 0, 1, 2, 3]),  # 3: a worker never seen
        "run_after": st.none() | moments,
    }
)


@contract
@given(
    stored=st.lists(orphan_states, min_size=1, max_size=6),
    seen=st.lists(st.tuples(moments, st.booleans()), min_size=3, max_size=3),
    skip=st.sampled_from([0, 0, 0, 1, 2]),
    limit=st.integers(1, 6),
    data=st.data(),
)
def test_the_orphans_found_in_sql_are_the_jobs_job_is_orphaned_finds(
    engine: sa.Engine,
    stored: list[dict[str, Any]],
    seen: list[tuple[datetime, bool]],
    skip: int,
    limit: int,
    data: st.DataObject,
) -> None:
    # The cut-off, now and then exactly a due poll or a heartbeat: the edges of the rule.
    due = [state["run_after"] for state in stored if state["run_after"]]
    edges = st.sampled_from(due) if due else moments
    before = data.draw(st.one_of(edges, edges, st.sampled_from([t for t, _ in seen]), moments))
    names = [f"w{next(_serial)}" for _ in range(4)]
    with engine.begin() as connection:
        for name, (heartbeat, stopped) in zip(names, seen, strict=False):
            connection.execute(
                sa.insert(workers_table).values(
                    id=name, hostname="h", pid=1, heartbeat_at=heartbeat,
                    stopped_at=heartbeat if stopped else None,
                )
            )  # fmt: skip
    rows = [
        {
            "status": state["status"],
            "run_after": state["run_after"],
            "worker_id": None if state["worker"] is None else names[state["worker"]],
        }
        for state in stored
    ]
    [(_, ids)] = _add(engine, [(Progress(Status.PROCESSING, 0), rows)])
    jobs = _jobs(engine, ids)
    live = {
        name
        for name, (heartbeat, stopped) in zip(names, seen, strict=False)
        if not stopped and heartbeat >= before
    }
    after = ids[0] - 1 + skip  # jobs of earlier examples have lower ids
    expected = [
        job_id for job_id in ids if job_id > after and jobs[job_id].is_orphaned(live, before)
    ]

    with SqlUnitOfWork(engine) as uow:
        found = uow.outbox.orphaned(before, limit, after=after)
        alive = uow.workers.live(before)

    assert found == expected[:limit]
    assert alive & set(names) == live
