"""Contract of the trend score: what SQL counts and reads back is what the domain scores.

SQL does not compute the score: `TrendFormula.score` does, in the periodic refresh. But SQL
aggregates the events (an upsert adding to the row of each hour) and selects the activity of
the window, so the property drives random views and uses through `SqlTrendRepository` and
the refresh, on PostgreSQL and on SQLite, and requires each stored score to be the domain's
score of the same events, grouped by `activity_hour` in memory.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genmedia.adapters.sql.repositories import (
    SqlFeatureRepository,
    SqlTemplateRepository,
    SqlTrendRepository,
)
from genmedia.adapters.sql.tables import generation_templates, template_activity
from genmedia.domain.catalog import Feature
from genmedia.domain.template import Template
from genmedia.domain.trending import Activity, TrendFormula, TrendWindow, activity_hour

pytestmark = pytest.mark.integration

CONTRACT = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
NOW = datetime(2026, 5, 4, 15, 37, tzinfo=UTC)
FORMULA = TrendFormula(window=timedelta(days=3), half_life=timedelta(hours=20), use_weight=3)
TEMPLATES = 3

# Often in the last few hours, so that events share an hour; sometimes outside the window.
hours_ago = st.one_of(st.integers(-1, 3), st.integers(-2, 4 * 24))
minutes_ago = st.builds(lambda hours, minutes: 60 * hours + minutes, hours_ago, st.integers(0, 59))
events = st.lists(
    st.tuples(st.integers(0, TEMPLATES - 1), minutes_ago, st.sampled_from(["view", "use"])),
    max_size=40,
)
trend_dates = st.tuples(st.none() | minutes_ago, st.none() | minutes_ago)


@contextmanager
def rolled_back(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection whose work is undone afterwards, so each example starts empty."""
    with engine.connect() as connection:
        try:
            yield connection
        finally:
            connection.rollback()


def _ago(minutes: int | None) -> datetime | None:
    return None if minutes is None else NOW - timedelta(minutes=minutes)


def _expected(
    template: Template, happened: list[tuple[int, int, str]], index: int, old_score: int
) -> int:
    counted = Counter((activity_hour(NOW - timedelta(minutes=m)), kind) for i, m, kind in happened
                      if i == index)  # fmt: skip
    hours = sorted({hour for hour, _ in counted})
    activity = tuple(
        Activity(hour=h, views=counted[(h, "view")], uses=counted[(h, "use")]) for h in hours
    )
    window = TrendWindow(
        template_id=template.id or 0,
        score=old_score,
        start=template.trend_start_date,
        end=template.trend_end_date,
        activity=activity,
    )
    return FORMULA.score(window, NOW)


@CONTRACT
@given(happened=events, dates=st.lists(trend_dates, min_size=TEMPLATES, max_size=TEMPLATES))
def test_the_stored_trend_score_is_the_domains_score_of_the_counted_events(
    engine: sa.Engine,
    happened: list[tuple[int, int, str]],
    dates: list[tuple[int | None, int | None]],
) -> None:
    with rolled_back(engine) as connection:
        feature = SqlFeatureRepository(connection).add(Feature(name="contract"))
        templates = [
            SqlTemplateRepository(connection).add(
                Template(feature_id=feature.id or 0, name=f"t{i}", slug=f"t{i}",
                         trend_start_date=_ago(start), trend_end_date=_ago(end), trend_score=i)
            )
            for i, (start, end) in enumerate(dates)
        ]  # fmt: skip
        trends = SqlTrendRepository(connection)
        for index, minutes, kind in happened:
            moment = activity_hour(NOW - timedelta(minutes=minutes))
            views, uses = (1, 0) if kind == "view" else (0, 1)
            trends.count(templates[index].id or 0, moment, views=views, uses=uses)
        since = NOW - FORMULA.window
        trends.write_scores(FORMULA.scores(trends.windows(since), NOW))
        trends.prune(since)
        t = generation_templates.c
        stored = connection.execute(sa.select(t.trend_score).order_by(t.id)).scalars().all()
        hours = connection.execute(sa.select(template_activity.c.hour)).scalars().all()
    assert stored == [_expected(tpl, happened, i, i) for i, tpl in enumerate(templates)]
    assert all(hour >= since for hour in hours)
