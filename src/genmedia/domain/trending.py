"""How much a template is in demand now: its trend score (SPEC CAT-6, docs/catalog.md).

Views and uses are counted per template and per hour. A template's score is

    round(scale × Σ (views + use_weight × uses) × 2^(−age / half_life)), at most MAX_SCORE

over the hours of its trend window, where `age` is how long ago the hour began. The window is
the last `window` before now, cut to the template's own trend_start_date…trend_end_date when
it has them. The score is recomputed by a periodic task, never while reading the catalog.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import attrs

from genmedia.domain.errors import InvalidValue

MAX_SCORE = 2**31 - 1
"""The highest score stored; a score above it is stored as this."""


def activity_hour(moment: datetime) -> datetime:
    """The hour an event at `moment` is counted in: its UTC hour, minutes dropped."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@attrs.frozen(kw_only=True)
class Activity:
    """The views and uses a template had in the hour beginning at `hour`."""

    hour: datetime
    views: int = 0
    uses: int = 0


@attrs.frozen(kw_only=True)
class TrendWindow:
    """A template's activity in a trend window, with its own trend dates and stored score."""

    template_id: int
    score: int = 0
    start: datetime | None = None
    end: datetime | None = None
    activity: tuple[Activity, ...] = ()


def _positive(instance: object, attribute: attrs.Attribute[timedelta], value: timedelta) -> None:
    if value <= timedelta(0):
        raise InvalidValue(attribute.name, "must be longer than zero")


def _not_negative(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 0:
        raise InvalidValue(attribute.name, "must not be negative")


@attrs.frozen(kw_only=True)
class TrendFormula:
    """The trend score's parameters: the window, the half-life of an event's weight, what a
    use weighs against a view, and the factor that keeps the stored score a whole number."""

    window: timedelta = attrs.field(default=timedelta(days=7), validator=_positive)
    half_life: timedelta = attrs.field(default=timedelta(hours=24), validator=_positive)
    use_weight: int = attrs.field(default=5, validator=_not_negative)
    scale: int = attrs.field(default=100, validator=_not_negative)

    def counts(self, hour: datetime, now: datetime, trend: TrendWindow) -> bool:
        """Whether the activity of `hour` is inside the template's trend window at `now`."""
        if not now - self.window <= hour <= now:
            return False
        if trend.start is not None and hour < activity_hour(trend.start):
            return False
        return trend.end is None or hour <= trend.end

    def decay(self, hour: datetime, now: datetime) -> float:
        """The weight of the activity of `hour` at `now`: 1 when fresh, halved each half-life."""
        age = max(now - hour, timedelta(0))
        return float(0.5 ** (age / self.half_life))

    def score(self, trend: TrendWindow, now: datetime) -> int:
        """The template's trend score at `now`."""
        total = sum(
            (a.views + self.use_weight * a.uses) * self.decay(a.hour, now)
            for a in trend.activity
            if self.counts(a.hour, now, trend)
        )
        return min(round(self.scale * total), MAX_SCORE)

    def scores(self, trends: Iterable[TrendWindow], now: datetime) -> dict[int, int]:
        """The new scores that differ from the stored ones, by template id."""
        fresh = {t.template_id: (self.score(t, now), t.score) for t in trends}
        return {tid: new for tid, (new, old) in fresh.items() if new != old}
