"""PostgreSQL and SQLite persistence: Core tables, engines, unit of work, migrations."""

from genmedia.adapters.sql.engine import create_engine
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork

__all__ = ["SqlUnitOfWork", "create_engine"]
