"""Alembic environment: migrations are checked against genmedia's one MetaData."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from alembic import context
from sqlalchemy import Connection

from genmedia.adapters.sql.engine import create_engine, normalise_url
from genmedia.adapters.sql.tables import metadata

config = context.config


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: set config.attributes['url'] or sqlalchemy.url")
    return normalise_url(str(url))


def _configure(**options: object) -> None:
    context.configure(target_metadata=metadata, compare_type=True, **options)


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite's recipe for schema changes: no foreign-key enforcement while tables are rebuilt.

    A batch migration copies a table, drops it and renames the copy; with enforcement on,
    dropping a parent table would first delete its rows and fire ON DELETE actions on their
    children. The pragma cannot change inside a transaction, so it is set on the driver's
    connection before any begins (a connection already in a transaction is left as it is, and
    a migration that rebuilds a parent table refuses to run on it); migrations that rebuild
    tables check the keys themselves.
    """
    if connection.in_transaction():
        yield
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    _configure(connection=connection, render_as_batch=sqlite)
    keys_off = _sqlite_foreign_keys_off(connection) if sqlite else nullcontext()
    with keys_off, context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Write the migration SQL instead of running it."""
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate over a given connection, or one opened on the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_url(), pool_size=1)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
