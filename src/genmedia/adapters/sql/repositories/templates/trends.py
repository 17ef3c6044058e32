"""Template views and uses per hour, and the trend scores made of them, in SQL.

A count is two atomic increments: the template's running count (`view_count = view_count
+ 1`) and its activity of the hour (an upsert adding to the hour's row). The template row
is always locked before the activity row, so counting transactions cannot deadlock.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from genmedia.adapters.sql.repositories.base import SqlRepository
from genmedia.adapters.sql.tables import generation_templates, template_activity
from genmedia.application.ports import TrendRepository
from genmedia.domain.trending import Activity, TrendWindow

_templates = generation_templates
_activity = template_activity


@functools.cache
def _add_counts() -> sa.Update:
    """Add :views and :uses to the :template's running counts (updated_at left alone)."""
    return (
        sa.update(_templates)
        .where(_templates.c.id == sa.bindparam("template"))
        .values(
            view_count=_templates.c.view_count + sa.bindparam("views"),
            usage_count=_templates.c.usage_count + sa.bindparam("uses"),
            updated_at=_templates.c.updated_at,
        )
    )


@functools.cache
def _add_activity(dialect: str) -> sa.Insert:
    """Insert the hour's activity, or add to it if the hour has a row already."""
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_activity)
    return insert.on_conflict_do_update(
        index_elements=[_activity.c.template_id, _activity.c.hour],
        set_={
            "views": _activity.c.views + insert.excluded.views,
            "uses": _activity.c.uses + insert.excluded.uses,
        },
    )


@functools.cache
def _windows() -> sa.Select[Any]:
    """Templates with activity since :since or a score, a row per hour of that activity."""
    t, a = _templates.c, _activity.c
    recent = sa.and_(a.template_id == t.id, a.hour >= sa.bindparam("since"))
    return (
        sa.select(
            t.id, t.trend_score, t.trend_start_date, t.trend_end_date, a.hour, a.views, a.uses
        )
        .select_from(_templates.outerjoin(_activity, recent))
        .where(sa.or_(t.trend_score != 0, a.template_id.is_not(None)))
        .order_by(t.id, a.hour)
    )


@functools.cache
def _write_score() -> sa.Update:
    """Store the :score of the :template (updated_at left alone)."""
    return (
        sa.update(_templates)
        .where(_templates.c.id == sa.bindparam("template"))
        .values(trend_score=sa.bindparam("score"), updated_at=_templates.c.updated_at)
    )


class SqlTrendRepository(SqlRepository, TrendRepository):
    """Counts of views and uses, and trend scores."""

    def count(self, template_id: int, hour: datetime, *, views: int = 0, uses: int = 0) -> None:
        """Add to the template's counts, then to its activity of `hour`."""
        counts = {"views": views, "uses": uses}
        self._connection.execute(_add_counts(), {"template": template_id, **counts})
        statement = _add_activity(self._connection.dialect.name)
        self._connection.execute(statement, {"template_id": template_id, "hour": hour, **counts})

    def windows(self, since: datetime) -> list[TrendWindow]:
        """Templates with activity from `since` on, or a score, with that activity."""
        rows = self._connection.execute(_windows(), {"since": since}).all()
        activity: dict[int, list[Activity]] = defaultdict(list)
        heads: dict[int, sa.Row[Any]] = {}
        for row in rows:
            heads.setdefault(row.id, row)
            if row.hour is not None:
                activity[row.id].append(Activity(hour=row.hour, views=row.views, uses=row.uses))
        return [_window(head, activity[tid]) for tid, head in heads.items()]

    def write_scores(self, scores: Mapping[int, int]) -> None:
        """Store the scores, locking the templates in id order."""
        rows = [{"template": tid, "score": scores[tid]} for tid in sorted(scores)]
        if rows:
            self._connection.execute(_write_score(), rows)

    def prune(self, before: datetime) -> int:
        """Delete the activity of hours before `before`."""
        statement = sa.delete(_activity).where(_activity.c.hour < before)
        return int(self._connection.execute(statement).rowcount)


def _window(head: sa.Row[Any], activity: list[Activity]) -> TrendWindow:
    return TrendWindow(
        template_id=head.id,
        score=head.trend_score,
        start=head.trend_start_date,
        end=head.trend_end_date,
        activity=tuple(activity),
    )
