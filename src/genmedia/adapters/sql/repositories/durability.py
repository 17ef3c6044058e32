"""Commits that need not wait for the disk (PostgreSQL's `synchronous_commit` off).

Only for writes whose loss in a crash of the database server, within a fraction of a
second of their commit, leaves a state the system recovers from on its own: such a commit
is seen by every other transaction at once, like any other, and the next commit that does
wait for the disk makes it durable too. Never for money, outputs or anything a user saw.
"""

from __future__ import annotations

import sqlalchemy as sa


def relaxed_commit() -> sa.CTE:
    """A CTE that turns off waiting for the disk for its statement's own transaction (an
    autocommit statement must reference it, e.g. join it on true, for it to run)."""
    return sa.select(sa.func.set_config("synchronous_commit", "off", True)).cte("relaxed")
