"""The SQL outbox: pending jobs by priority, dispatch marks, unfinished counts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from tests.integration.sql.helpers import NOW, _add_request

pytestmark = pytest.mark.integration


def test_the_outbox_lists_pending_jobs_by_priority_then_id(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    low = _add_request(engine, owner, priorities=(0, 5))
    high = _add_request(engine, owner, priorities=(5, 9, 0))
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.requests.get(high.id or 0)
        loaded.job(high.jobs[1].id or 0).start("w")
        uow.requests.save(loaded)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        pending = uow.outbox.pending(10)
        top = uow.outbox.pending(2)
    expected = [low.jobs[1], high.jobs[0], low.jobs[0], high.jobs[2]]
    assert [p.job_id for p in pending] == [j.id for j in expected]
    assert [p.priority for p in pending] == [5, 5, 0, 0]
    assert {p.user_id for p in pending} == {owner[0]}
    assert [p.job_id for p in top] == [j.id for j in expected[:2]]


def test_mark_dispatched_marks_only_jobs_still_pending_and_undispatched(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    request = _add_request(engine, owner, priorities=(0, 0, 0))
    ids = [j.id or 0 for j in request.jobs]
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.requests.get(request.id or 0)
        loaded.job(ids[2]).start("w")
        uow.requests.save(loaded)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.outbox.mark_dispatched([ids[0]], NOW) == 1
        assert uow.outbox.mark_dispatched(ids, NOW) == 1
        assert uow.outbox.mark_dispatched(ids, NOW) == 0
        assert uow.outbox.mark_dispatched([], NOW) == 0
        assert uow.outbox.pending(10) == []
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        jobs = uow.requests.get(request.id or 0).jobs
    assert [j.dispatched_at for j in jobs] == [NOW, NOW, None]


def test_count_unfinished_counts_pending_and_processing_jobs(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    one, two = _add_request(engine, owner), _add_request(engine, owner, priorities=(0,))
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.requests.get(one.id or 0)
        loaded.job(one.jobs[0].id or 0).start("w")
        loaded.cancel(NOW)
        uow.requests.save(loaded)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.outbox.count_unfinished([one.id or 0, two.id or 0]) == 2
        assert uow.outbox.count_unfinished([one.id or 0]) == 1
        assert uow.outbox.count_unfinished([]) == 0
