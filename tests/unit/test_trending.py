"""The trend score: time-decayed views and uses over the trend window (SPEC CAT-6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genmedia.domain.errors import InvalidValue
from genmedia.domain.trending import (
    MAX_SCORE,
    Activity,
    TrendFormula,
    TrendWindow,
    activity_hour,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
FORMULA = TrendFormula()


def window(*activity: Activity, **kw: object) -> TrendWindow:
    return TrendWindow(template_id=1, activity=activity, **kw)  # type: ignore[arg-type]


def test_an_event_counts_in_the_utc_hour_it_happened_in() -> None:
    moment = datetime(2026, 3, 1, 13, 59, 59, 999, tzinfo=UTC)
    assert activity_hour(moment) == datetime(2026, 3, 1, 13, tzinfo=UTC)
    other_zone = moment.astimezone(timezone(timedelta(hours=7)))
    assert activity_hour(other_zone) == datetime(2026, 3, 1, 13, tzinfo=UTC)


def test_a_fresh_view_scores_the_scale_and_a_use_weighs_five_views() -> None:
    assert FORMULA.score(window(Activity(hour=NOW, views=1)), NOW) == 100
    assert FORMULA.score(window(Activity(hour=NOW, uses=1)), NOW) == 500
    assert FORMULA.score(window(Activity(hour=NOW, views=2, uses=1)), NOW) == 700


def test_activity_weighs_half_as_much_each_half_life_later() -> None:
    day_old = window(Activity(hour=NOW - timedelta(days=1), views=4))
    two_days_old = window(Activity(hour=NOW - timedelta(days=2), views=4))
    assert FORMULA.score(day_old, NOW) == 200
    assert FORMULA.score(two_days_old, NOW) == 100


def test_activity_outside_the_window_or_in_the_future_does_not_count() -> None:
    edge = Activity(hour=NOW - timedelta(days=7), views=1)
    older = Activity(hour=NOW - timedelta(days=7) - HOUR, views=1000)
    future = Activity(hour=NOW + HOUR, views=1000)
    assert FORMULA.score(window(edge, older, future), NOW) == round(100 * 0.5**7)


def test_the_templates_own_trend_dates_cut_the_window() -> None:
    before = Activity(hour=NOW - 3 * HOUR, views=10)
    inside = Activity(hour=NOW - 2 * HOUR, views=1)
    after = Activity(hour=NOW - HOUR, views=100)
    start, end = NOW - 2 * HOUR + timedelta(minutes=30), NOW - 2 * HOUR
    cut = window(before, inside, after, start=start, end=end)
    assert FORMULA.score(cut, NOW) == round(100 * 0.5 ** (2 / 24))


def test_a_score_is_capped_at_what_the_column_holds() -> None:
    huge = window(Activity(hour=NOW, views=10**9, uses=10**9))
    assert FORMULA.score(huge, NOW) == MAX_SCORE


def test_only_scores_that_change_are_given_back() -> None:
    fresh = TrendWindow(template_id=1, score=100, activity=(Activity(hour=NOW, views=1),))
    stale = TrendWindow(template_id=2, score=300)
    assert FORMULA.scores([fresh, stale], NOW) == {2: 0}


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("window", {"window": timedelta(0)}),
        ("half_life", {"half_life": -HOUR}),
        ("use_weight", {"use_weight": -1}),
        ("scale", {"scale": -1}),
    ],
)
def test_a_formula_with_a_bad_parameter_is_refused_naming_it(
    field: str, changes: dict[str, object]
) -> None:
    with pytest.raises(InvalidValue) as refused:
        TrendFormula(**changes)  # type: ignore[arg-type]
    assert refused.value.field == field


hours_ago = st.integers(0, 24 * 8).map(lambda h: NOW - h * HOUR)
activities = st.lists(
    st.builds(Activity, hour=hours_ago, views=st.integers(0, 50), uses=st.integers(0, 10)),
    max_size=12,
)


@given(activity=activities, later=st.integers(0, 24 * 9))
def test_without_new_activity_a_score_never_rises(activity: list[Activity], later: int) -> None:
    trend = window(*activity)
    assert FORMULA.score(trend, NOW + later * HOUR) <= FORMULA.score(trend, NOW)


@given(activity=activities, extra=st.builds(Activity, hour=hours_ago, views=st.integers(0, 5)))
def test_more_activity_never_lowers_a_score(activity: list[Activity], extra: Activity) -> None:
    assert FORMULA.score(window(*activity, extra), NOW) >= FORMULA.score(window(*activity), NOW)
