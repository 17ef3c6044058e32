"""Engines for PostgreSQL (production) and SQLite (the embedded default)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from psycopg.types.array import ListBinaryDumper
from sqlalchemy import event

SQLITE_BUSY_TIMEOUT_S = 30
POOL_RECYCLE_S = 1800


def normalise_url(url: str) -> str:
    """The URL with plain `postgres://` / `postgresql://` schemes pointed at psycopg 3."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def create_engine(url: str, *, pool_size: int = 10) -> sa.Engine:
    """An engine for `url`, tuned for the backend it names."""
    parsed = sa.make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    # No pre-ping: it costs a round trip per checkout; a dead connection is detected on use,
    # the pool is invalidated, and the unit of work's caller retries.
    engine = sa.create_engine(
        parsed, pool_size=pool_size, max_overflow=pool_size, pool_recycle=POOL_RECYCLE_S
    )
    event.listen(engine, "connect", _configure_postgresql_connection)
    event.listen(engine, "before_cursor_execute", _count_statements)
    return engine


_ONE_STATEMENT = "genmedia_one_statement"


def allow_one_statement(connection: sa.Connection) -> None:
    """Refuse every statement on this checkout of the connection after its first one."""
    connection.info[_ONE_STATEMENT] = "unused"


def forget_one_statement(connection: sa.Connection) -> None:
    """Lift `allow_one_statement` before the connection goes back to the pool."""
    connection.info.pop(_ONE_STATEMENT, None)


def _count_statements(connection: sa.Connection, *args: Any) -> None:
    state = connection.info.get(_ONE_STATEMENT)
    if state == "used":
        raise RuntimeError("a one-statement unit of work ran a second statement")
    if state == "unused":
        connection.info[_ONE_STATEMENT] = "used"


def _configure_postgresql_connection(dbapi_connection: Any, connection_record: Any) -> None:
    # Lists (the arrays of the unnest statements) go in binary: psycopg's text format quotes
    # and escapes every element with a regular expression, JSON documents included.
    dbapi_connection.adapters.register_dumper(list, ListBinaryDumper)


def _sqlite_engine(url: sa.URL) -> sa.Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
    writer = WriterLock()
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", writer.begin)
    event.listen(engine, "commit", writer.end)
    event.listen(engine, "rollback", writer.end)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, connection_record: Any) -> None:
    # pysqlite's own BEGIN is deferred; take over so every transaction is BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


class WriterLock:
    """One SQLite transaction at a time per process, queued on a lock rather than polled.

    Every transaction is BEGIN IMMEDIATE: a deferred one that later writes fails with
    SQLITE_BUSY instead of waiting when another writer got there first. SQLite's own busy
    handler waits by sleeping in growing steps, which stalls threads for up to ~100 ms at a
    time; queueing this process's transactions on a lock first hands the database over at
    once. Other processes still meet the busy timeout.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()

    def begin(self, connection: sa.Connection) -> None:
        """Take the lock, then the database's write lock."""
        self._lock.acquire()
        connection.info["genmedia_writer"] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self.end(connection)
            raise

    def end(self, connection: sa.Connection) -> None:
        """Give the lock back when the transaction ends (once per begin)."""
        if connection.info.pop("genmedia_writer", False):
            self._lock.release()


def ping(engine: sa.Engine) -> None:
    """Run one trivial query; raises if the database cannot be reached."""
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
