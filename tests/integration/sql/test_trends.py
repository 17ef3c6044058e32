"""Views, uses and trend scores in SQL: atomic counts, hourly activity, the periodic refresh."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.tables import generation_templates, template_activity
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.catalog.templates import view_template
from genmedia.application.catalog.trends import refresh_trends
from genmedia.domain.errors import NotFound
from genmedia.domain.trending import Activity, TrendFormula, activity_hour
from tests.fakes import FakeClock
from tests.integration.sql.helpers import NOW, _owner, _template
from tests.races import race

pytestmark = pytest.mark.integration

HOUR = timedelta(hours=1)


def _counts(engine: sa.Engine, template_id: int) -> tuple[int, int]:
    t = generation_templates.c
    query = sa.select(t.view_count, t.usage_count).where(t.id == template_id)
    with engine.connect() as connection:
        views, uses = connection.execute(query).one()
    return views, uses


def _activity(engine: sa.Engine) -> list[tuple[int, int, int]]:
    a = template_activity.c
    query = sa.select(a.template_id, a.views, a.uses).order_by(a.template_id, a.hour)
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]  # type: ignore[misc]


@pytest.fixture
def template_id(engine: sa.Engine, owner: tuple[int, int]) -> int:
    with SqlUnitOfWork(engine) as uow:
        template = uow.templates.add(attrs.evolve(_template(owner[1]), trend_start_date=None))
        uow.commit()
    return template.id or 0


def test_views_and_uses_add_to_the_counts_and_to_the_hour_they_happened_in(
    engine: sa.Engine, template_id: int
) -> None:
    with SqlUnitOfWork(engine) as uow:
        before = uow.templates.get(template_id).created_at
        uow.trends.count(template_id, activity_hour(NOW), views=1)
        uow.trends.count(template_id, activity_hour(NOW), views=2, uses=1)
        uow.trends.count(template_id, activity_hour(NOW) - HOUR, uses=1)
        uow.commit()
    assert _counts(engine, template_id) == (3, 2)
    with SqlUnitOfWork(engine) as uow:
        (window,) = uow.trends.windows(activity_hour(NOW) - HOUR)
        assert uow.templates.get(template_id).created_at == before
    assert window.activity == (
        Activity(hour=activity_hour(NOW) - HOUR, uses=1),
        Activity(hour=activity_hour(NOW), views=3, uses=1),
    )
    assert (window.template_id, window.score, window.start) == (template_id, 0, None)


def test_reading_a_template_counts_one_view_and_a_missing_one_counts_none(
    engine: sa.Engine, template_id: int
) -> None:
    clock = FakeClock(NOW)
    viewed = view_template("studio", uow=SqlUnitOfWork(engine), clock=clock)
    again = view_template(template_id, uow=SqlUnitOfWork(engine), clock=clock)
    assert (viewed.view_count, again.view_count) == (1, 2)
    assert [g.group_name for g in again.option_groups] == ["backgrounds", "hairColor"]
    with pytest.raises(NotFound):
        view_template("nope", uow=SqlUnitOfWork(engine), clock=clock)
    assert _counts(engine, template_id) == (2, 0)
    assert _activity(engine) == [(template_id, 2, 0)]


def test_concurrent_views_are_each_counted_once(clean_postgres_engine: sa.Engine) -> None:
    engine = clean_postgres_engine
    _, feature_id = _owner(engine)
    with SqlUnitOfWork(engine) as uow:
        template_id = uow.templates.add(_template(feature_id)).id or 0
        uow.commit()
    clock = FakeClock(NOW)

    def view_five_times(i: int) -> None:
        for _ in range(5):
            view_template(template_id, uow=SqlUnitOfWork(engine), clock=clock)

    assert not [e for e in race(8, view_five_times) if isinstance(e, Exception)]
    assert _counts(engine, template_id) == (40, 0)
    assert _activity(engine) == [(template_id, 40, 0)]


def test_the_refresh_stores_the_formulas_scores_and_forgets_old_activity(
    engine: sa.Engine, template_id: int
) -> None:
    formula = TrendFormula(window=timedelta(days=2), half_life=timedelta(days=1))
    with SqlUnitOfWork(engine) as uow:
        uow.trends.count(template_id, activity_hour(NOW), views=3, uses=1)
        uow.trends.count(template_id, activity_hour(NOW) - timedelta(days=1), views=4)
        uow.trends.count(template_id, activity_hour(NOW) - timedelta(days=3), views=1000)
        uow.commit()
    clock = FakeClock(activity_hour(NOW))
    assert refresh_trends(uow=SqlUnitOfWork(engine), clock=clock, formula=formula) == 1
    with SqlUnitOfWork(engine) as uow:
        assert uow.templates.get(template_id).trend_score == 800 + 200
    assert len(_activity(engine)) == 2
    clock.advance(timedelta(days=3).total_seconds())
    assert refresh_trends(uow=SqlUnitOfWork(engine), clock=clock, formula=formula) == 1
    with SqlUnitOfWork(engine) as uow:
        assert uow.templates.get(template_id).trend_score == 0
        assert uow.trends.windows(clock.now() - timedelta(days=30)) == []
    assert _activity(engine) == []
