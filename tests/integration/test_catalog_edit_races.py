"""Operators editing one catalog object at once on PostgreSQL: each edit locks the row, so
every change lands and every audit entry's `before` is the previous one's `after`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.engine import create_engine
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.admin.features import create_feature, update_feature
from genmedia.application.admin.tags import create_tag, delete_tag
from genmedia.domain.errors import NotFound
from tests.commerce import add_buyer
from tests.conftest import truncate_all
from tests.fakes import FakeClock
from tests.races import race

pytestmark = pytest.mark.integration

CHANGES = [
    {"description": "drawn"},
    {"system_prompt": "draw it"},
    {"preview_url": "https://example.com/p.png"},
    {"icon_url": "https://example.com/i.png"},
    {"order_index": 7},
    {"category": "video"},
    {"properties": {"cost_per_generation": 3}},
    {"name": "Drawing"},
]


@pytest.fixture
def engine(postgres_url: str) -> Iterator[sa.Engine]:
    """An emptied PostgreSQL database, with a pool big enough for every racer at once."""
    engine = create_engine(postgres_url, pool_size=len(CHANGES) + 2)
    truncate_all(engine)
    yield engine
    engine.dispose()


def test_operators_changing_different_fields_of_a_feature_at_once_lose_none(
    engine: sa.Engine,
) -> None:
    clock = FakeClock()
    admin = add_buyer(SqlUnitOfWork(engine), "admin@example.com")
    feature = create_feature(admin, {"name": "Sketch"}, uow=SqlUnitOfWork(engine), clock=clock)
    results = race(
        len(CHANGES),
        lambda i: update_feature(
            admin, feature.id or 0, CHANGES[i], uow=SqlUnitOfWork(engine), clock=clock
        ),
    )
    assert not [r for r in results if isinstance(r, Exception)]
    uow = SqlUnitOfWork(engine)
    with uow:
        stored = uow.features.get(feature.id or 0)
        entries = uow.audit.page(None, 100)[::-1]
    assert (stored.name, stored.order_index, stored.category) == ("Drawing", 7, "video")
    assert (stored.description, stored.system_prompt, stored.properties) == (
        "drawn", "draw it", {"cost_per_generation": 3},
    )  # fmt: skip
    assert (stored.preview_url, stored.icon_url) == (
        CHANGES[2]["preview_url"],
        CHANGES[3]["icon_url"],
    )
    updates = entries[1:]
    assert len(updates) == len(CHANGES)
    for earlier, later in zip(entries, updates, strict=False):
        assert later.before == earlier.after


def test_operators_deleting_one_tag_at_once_delete_it_once(engine: sa.Engine) -> None:
    clock = FakeClock()
    admin = add_buyer(SqlUnitOfWork(engine), "admin@example.com")
    tag = create_tag(admin, {"name": "Noir"}, uow=SqlUnitOfWork(engine), clock=clock)
    results = race(
        4, lambda i: delete_tag(admin, tag.id or 0, uow=SqlUnitOfWork(engine), clock=clock)
    )
    assert sorted(type(r).__name__ for r in results) == ["NoneType", *["NotFound"] * 3]
    assert all(isinstance(r, NotFound) for r in results if r is not None)
    uow = SqlUnitOfWork(engine)
    with uow:
        assert [e.action for e in uow.audit.page(None, 100)] == ["delete", "create"]
