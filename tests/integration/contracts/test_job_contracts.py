"""Contracts of the job rules that SQL applies: what the claim, the write of completions and
a request following its jobs leave in the rows equals what the domain decides, on
PostgreSQL and on SQLite."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genmedia.adapters.sql.tables import generation_features, generation_jobs, users
from genmedia.adapters.sql.tables import generation_requests as requests_table
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.execution.steps import claim_jobs
from genmedia.domain.job import Job
from genmedia.domain.provider_cost import CostUnit, ProviderCost
from genmedia.domain.status import Progress, Status, request_progress, runs_lease
from tests.fakes import FakeClock

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
contract = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_serial = itertools.count()

moments = st.builds(
    lambda seconds, micros: NOW + timedelta(seconds=seconds, microseconds=micros),
    st.integers(-3 * 86_400, 3 * 86_400),
    st.integers(0, 999_999),
)
statuses = st.sampled_from(Status)
credits = st.integers(0, 9)


def _add(
    engine: sa.Engine, requests: Sequence[tuple[Progress, Sequence[Mapping[str, Any]]]]
) -> list[tuple[int, list[int]]]:
    """Insert a user, a feature and these requests (their status and charge) with jobs of
    these column values; per request, its id and its jobs' ids."""
    added = []
    with engine.begin() as connection:
        user = connection.execute(
            sa.insert(users).values(email=f"c{next(_serial)}@contracts.example", name="c")
        ).inserted_primary_key[0]
        feature = connection.execute(
            sa.insert(generation_features).values(name=f"f{next(_serial)}", category="image")
        ).inserted_primary_key[0]
        owner = {"user_id": user, "feature_id": feature}
        for progress, jobs in requests:
            request_id = connection.execute(
                sa.insert(requests_table).values(
                    **owner,
                    user_prompt="p",
                    final_prompt="p",
                    status=progress.status,
                    credits_charged=progress.credits_charged,
                )
            ).inserted_primary_key[0]
            job_ids = [
                connection.execute(
                    sa.insert(generation_jobs).values(
                        **owner,
                        request_id=request_id,
                        category="image",
                        job_index=index,
                        input_json={},
                        **values,
                    )
                ).inserted_primary_key[0]
                for index, values in enumerate(jobs)
            ]
            added.append((request_id, job_ids))
    return added


def _jobs(engine: sa.Engine, job_ids: Iterable[int]) -> dict[int, Job]:
    """The jobs as the repository reads them, by id."""
    with SqlUnitOfWork(engine) as uow:
        return {job.id or 0: job for job in uow.jobs.lock(list(job_ids))}


def _progress(engine: sa.Engine, request_ids: Iterable[int]) -> dict[int, Progress]:
    """The stored status and charge of these requests."""
    query = sa.select(
        requests_table.c.id, requests_table.c.status, requests_table.c.credits_charged
    ).where(requests_table.c.id.in_(list(request_ids)))
    with engine.connect() as connection:
        return {
            row.id: Progress(Status(row.status), row.credits_charged)
            for row in connection.execute(query)
        }


def _rows(jobs: Mapping[int, Job]) -> dict[int, dict[str, Any]]:
    return {job_id: attrs.asdict(job) for job_id, job in jobs.items()}


def _states(jobs: Iterable[Job]) -> list[tuple[Status, int]]:
    return [(job.status, job.credits_used) for job in jobs]


@contract
@given(
    requests=st.lists(
        st.tuples(
            statuses,
            credits,
            st.lists(st.tuples(statuses, credits), max_size=4),
        ),
        min_size=1,
        max_size=4,
    ),
    locked=st.booleans(),
)
def test_requests_follow_their_jobs_as_request_progress_decides(
    engine: sa.Engine,
    requests: list[tuple[Status, int, list[tuple[Status, int]]]],
    locked: bool,
) -> None:
    added = _add(
        engine,
        [
            (Progress(status, charged), [{"status": s, "credits_used": c} for s, c in jobs])
            for status, charged, jobs in requests
        ],
    )
    ids = [request_id for request_id, _ in added]
    with SqlUnitOfWork(engine) as uow:
        followed = uow.requests.follow_all([*reversed(ids), ids[0]], locked=locked)
        uow.commit()
    expected = {
        request_id: request_progress(status, jobs)
        for (request_id, _), (status, _, jobs) in zip(added, requests, strict=True)
    }
    assert followed == {request_id: now.status for request_id, now in expected.items()}
    assert _progress(engine, ids) == expected


job_states = st.fixed_dictionaries(
    {
        "status": statuses,
        "attempts": st.integers(0, 3),
        "lease": st.integers(0, 3),
        "started_at": st.none() | moments,
        "provider_task_id": st.none() | st.just("t1"),
        "worker_id": st.none() | st.just("w0"),
        "credits_used": credits,
        "deadline_at": st.none() | moments,
        "created_at": moments,
        "cancel_requested": st.booleans(),
    }
)


def _consistent(started: bool, jobs: Sequence[Mapping[str, Any]]) -> Progress:
    """The progress the domain leaves a request of these jobs in, started or not: following
    its jobs again changes nothing. (The claim starts requests without following their jobs
    in full: it relies on their being consistent.)"""
    states = [(job["status"], job["credits_used"]) for job in jobs]
    progress = request_progress(Status.PROCESSING if started else Status.PENDING, states)
    assert request_progress(progress.status, states) == progress
    return progress


@contract
@given(
    requests=st.lists(
        st.tuples(st.booleans(), st.lists(job_states, min_size=1, max_size=4)),
        min_size=1,
        max_size=4,
    ),
    picks=st.lists(st.integers(0, 20), max_size=12),
    now=moments,
    timeout=st.integers(1, 2 * 86_400 * 10**6).map(lambda micros: timedelta(microseconds=micros)),
)
def test_a_claim_writes_what_job_claim_and_request_progress_decide(
    engine: sa.Engine,
    requests: list[tuple[bool, list[dict[str, Any]]]],
    picks: list[int],
    now: datetime,
    timeout: timedelta,
) -> None:
    added = _add(engine, [(_consistent(started, jobs), jobs) for started, jobs in requests])
    ids = [job_id for _, job_ids in added for job_id in job_ids]
    asked = [ids[pick] if pick < len(ids) else max(ids) + pick for pick in picks]
    expected = _jobs(engine, ids)
    was = _progress(engine, [request_id for request_id, _ in added])
    decided = []
    for job_id in sorted(set(asked) & set(expected)):
        if expected[job_id].status is Status.PENDING:
            expected[job_id].claim("w1", now, timeout)
            decided.append(job_id)

    claimed = claim_jobs(
        asked, "w1", uow=SqlUnitOfWork(engine), clock=FakeClock(now), job_timeout=timeout
    )

    assert _rows(claimed) == _rows({job_id: expected[job_id] for job_id in decided})
    assert _rows(_jobs(engine, ids)) == _rows(expected)
    assert _progress(engine, was) == {
        request_id: request_progress(was[request_id].status, _states(expected[j] for j in job_ids))
        for request_id, job_ids in added
    }


units = st.sampled_from(CostUnit)
completions = st.lists(
    st.tuples(
        st.integers(0, 4),  # which stored job
        st.sampled_from([0, 0, 0, 1, -1]),  # the lease run under, against the stored one
        credits,
        st.dictionaries(st.sampled_from(["model", "seed", "n"]), st.integers(0, 99), max_size=2),
        st.none() | st.builds(ProviderCost, st.integers(0, 8).map(lambda q: q / 4), units),
        st.booleans(),  # whether the worker's copy drifted in columns it does not write
    ),
    max_size=6,
)


running_or_not = st.builds(
    lambda job, running: {**job, "status": Status.PROCESSING} if running else job,
    job_states,
    st.booleans(),
)


@contract
@given(stored=st.lists(running_or_not, min_size=1, max_size=5), runs=completions, now=moments)
def test_writing_completions_writes_the_outcome_of_job_complete_where_the_lease_still_runs(
    engine: sa.Engine,
    stored: list[dict[str, Any]],
    runs: list[tuple[int, int, int, dict[str, int], ProviderCost | None, bool]],
    now: datetime,
) -> None:
    [(_, ids)] = _add(engine, [(Progress(Status.PROCESSING, 0), stored)])
    before = _jobs(engine, ids)
    given: dict[tuple[int, int], Job] = {}
    for pick, shift, used, metadata, cost, drifted in runs:
        base = before[ids[pick % len(ids)]]
        lease = base.lease + shift
        if lease < 0 or (base.id or 0, lease) in given:
            continue
        run = attrs.evolve(base, status=Status.PROCESSING, lease=lease)
        if drifted:
            run = attrs.evolve(run, cancel_requested=not run.cancel_requested, worker_id="w9")
        run.complete(now, metadata, used)
        run.provider_cost = cost
        given[(base.id or 0, lease)] = run
    expected = _jobs(engine, ids)
    decided = []
    for (job_id, lease), run in sorted(given.items()):
        target = expected[job_id]
        if runs_lease(target.status, target.lease, lease):
            target.complete(now, run.output_metadata or {}, run.credits_used)
            target.provider_cost = run.provider_cost
            decided.append(run)

    with SqlUnitOfWork(engine) as uow:
        written = uow.jobs.save_completed(list(reversed(given.values())))
        uow.commit()

    assert written == decided
    assert _rows(_jobs(engine, ids)) == _rows(expected)
