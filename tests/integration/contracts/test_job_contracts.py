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
from genmedia.domain.job import Job
from genmedia.domain.status import Progress, Status, request_progress

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
            sa.insert(generation_features).values(name="f", category="image")
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
