"""Queue counts for monitoring on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import pytest
import sqlalchemy as sa

from genmedia.adapters.metrics import PrometheusMetrics
from genmedia.adapters.sql.tables import generation_jobs
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.operations.stats import QueueStats, queue_stats
from genmedia.domain.catalog import Feature
from genmedia.domain.job import Job
from genmedia.domain.request import GenerationRequest
from genmedia.domain.user import User

pytestmark = pytest.mark.integration

NOW = datetime(2026, 6, 1, tzinfo=UTC)
ZERO = {"pending": 0, "processing": 0, "completed": 0, "failed": 0, "cancelled": 0}


def add_jobs(engine: sa.Engine, priorities: tuple[int, ...]) -> list[int]:
    """One request with a pending job per priority; the job ids."""
    with SqlUnitOfWork(engine) as uow:
        user = uow.users.get_by_email("ann@example.com") or uow.users.add(
            User(email="ann@example.com")
        )
        feature = uow.features.get_by_name("portrait") or uow.features.add(
            Feature(name="portrait", system_prompt="")
        )
        jobs = [
            Job(user_id=user.id or 0, feature_id=feature.id or 0, index=i, priority=p)
            for i, p in enumerate(priorities)
        ]
        request = uow.requests.add(
            GenerationRequest(
                user_id=user.id or 0,
                feature_id=feature.id or 0,
                user_prompt="a cat",
                final_prompt="a cat",
                jobs=jobs,
            )
        )
        uow.commit()
    return [job.id or 0 for job in request.jobs]


def test_an_empty_queue_counts_zero_everywhere(engine: sa.Engine) -> None:
    assert queue_stats(uow=SqlUnitOfWork(engine)) == QueueStats(
        jobs_by_status=ZERO, depth_by_tier={"paid": 0, "free": 0}
    )


def test_jobs_are_counted_by_status_and_pending_ones_by_tier(engine: sa.Engine) -> None:
    ids = add_jobs(engine, (0, 0, 0, 1, 5, 5))
    add_jobs(engine, (2,))
    with SqlUnitOfWork(engine) as uow:
        request = uow.requests.get_by_job(ids[0])
        request.jobs[0].start("w1")
        request.jobs[1].start("w1")
        request.jobs[1].complete(NOW, {}, 1)
        request.jobs[4].start("w1")
        request.jobs[4].fail("boom", "it broke", NOW)
        request.refresh_status()
        uow.requests.save(request)
        uow.commit()
    with engine.begin() as connection:  # a soft-deleted job is not counted
        connection.execute(
            sa.update(generation_jobs).where(generation_jobs.c.id == ids[5]).values(deleted_at=NOW)
        )

    with SqlUnitOfWork(engine) as uow:
        by_status, by_tier = uow.stats.count_jobs_by_status(), uow.stats.pending_by_tier()
    assert by_status == {"pending": 3, "processing": 1, "completed": 1, "failed": 1}
    assert by_tier == {"free": 1, "paid": 2}

    stats = queue_stats(uow=SqlUnitOfWork(engine))
    assert stats.jobs_by_status == {**ZERO, **by_status}
    assert stats.depth_by_tier == {"paid": 2, "free": 1}

    scraped = PrometheusMetrics(partial(queue_stats, uow=SqlUnitOfWork(engine))).render()
    assert b'genmedia_queue_depth{tier="paid"} 2.0' in scraped
    assert b'genmedia_jobs{status="processing"} 1.0' in scraped
    assert b"genmedia_queue_stats_up 1.0" in scraped
