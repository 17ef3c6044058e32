"""The periodic recomputation of trend scores (SPEC CAT-6; the formula is domain/trending.py)."""

from __future__ import annotations

from genmedia.application.ports import Clock, UnitOfWork
from genmedia.domain.trending import TrendFormula

DEFAULT_FORMULA = TrendFormula()


def refresh_trends(
    *, uow: UnitOfWork, clock: Clock, formula: TrendFormula = DEFAULT_FORMULA
) -> int:
    """Store every template's trend score as `formula` gives it now, and forget activity
    older than its window; how many scores changed."""
    now = clock.now()
    since = now - formula.window
    with uow:
        scores = formula.scores(uow.trends.windows(since), now)
        uow.trends.write_scores(scores)
        uow.trends.prune(since)
        uow.commit()
    return len(scores)
