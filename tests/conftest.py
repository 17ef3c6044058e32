"""Shared fixtures: a fresh PostgreSQL database per run, scratch databases, SQLite files."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import sql

from genmedia.adapters.sql import migrate
from genmedia.adapters.sql.engine import create_engine, normalise_url
from genmedia.adapters.sql.tables import metadata

PG_SERVER_URL = os.environ.get("GENMEDIA_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/")


def _server_url(database: str) -> sa.URL:
    return sa.make_url(normalise_url(PG_SERVER_URL)).set(database=database)


def _libpq(url: sa.URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    admin = _server_url("postgres")
    try:
        return psycopg.connect(_libpq(admin), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        shown = admin.render_as_string(hide_password=True)
        pytest.fail(
            f"PostgreSQL is unreachable at {shown} ({error}). Start it, or point "
            "GENMEDIA_TEST_PG_URL at a server where the user may create databases.",
            pytrace=False,
        )


def _drop_database(name: str) -> None:
    with _admin_connection() as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


@contextmanager
def _scratch_database() -> Iterator[str]:
    name = f"genmedia_test_{secrets.token_hex(6)}"
    with _admin_connection() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _server_url(name).render_as_string(hide_password=False)
    finally:
        _drop_database(name)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A freshly created and migrated PostgreSQL database, dropped after the run."""
    with _scratch_database() as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """A brand-new, never migrated PostgreSQL database of this test's own."""
    with _scratch_database() as url:
        yield url


@pytest.fixture(scope="module")
def module_postgres_url() -> Iterator[str]:
    """A brand-new, never migrated PostgreSQL database shared by one test module."""
    with _scratch_database() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[sa.Engine]:
    """One engine on the run's PostgreSQL database."""
    engine = create_engine(postgres_url, pool_size=5)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies, so migrations run once per session."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated SQLite database file of this test's own."""
    path = tmp_path / "db" / "genmedia.db"
    path.parent.mkdir()
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


def truncate_all(engine: sa.Engine) -> None:
    """Empty every table of the schema and restart its ids (PostgreSQL)."""
    names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture
def clean_postgres_engine(postgres_engine: sa.Engine) -> sa.Engine:
    """The PostgreSQL engine, its tables emptied for this test."""
    truncate_all(postgres_engine)
    return postgres_engine


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    """An engine on an empty, migrated database of each kind."""
    if request.param == "postgresql":
        yield request.getfixturevalue("clean_postgres_engine")
        return
    sqlite = create_engine(request.getfixturevalue("sqlite_url"))
    yield sqlite
    sqlite.dispose()
