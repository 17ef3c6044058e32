"""Engines: URL normalisation, SQLite set-up for many threads, timestamps always in UTC."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genmedia.adapters.sql.engine import create_engine, normalise_url
from genmedia.adapters.sql.tables.base import UtcDateTime
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.domain.catalog import Feature
from genmedia.domain.job import Job
from genmedia.domain.request import GenerationRequest
from genmedia.domain.user import User

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("given_url", "expected"),
    [
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///var/genmedia.db", "sqlite:///var/genmedia.db"),
    ],
)
def test_postgres_urls_are_pointed_at_psycopg_3(given_url: str, expected: str) -> None:
    assert normalise_url(given_url) == expected


def test_a_sqlite_engine_creates_its_directory_and_sets_its_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "var" / "deep" / "genmedia.db"
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar_one() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar_one() == 1
            assert pragma("PRAGMA busy_timeout").scalar_one() == 30_000
    finally:
        engine.dispose()
    assert path.is_file()


def test_a_postgresql_engine_uses_psycopg_and_a_sized_pool(postgres_url: str) -> None:
    engine = create_engine(
        postgres_url.replace("postgresql+psycopg://", "postgres://"), pool_size=3
    )
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT 1").scalar_one() == 1
        assert engine.dialect.driver == "psycopg"
        assert engine.pool.size() == 3  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def test_concurrent_sqlite_writers_wait_for_each_other_instead_of_failing(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    with SqlUnitOfWork(engine) as uow:
        user = uow.users.add(User(email="ada@example.com"))
        feature = uow.features.add(Feature(name="portrait"))
        job = Job(user_id=user.id or 0, feature_id=feature.id or 0)
        request = uow.requests.add(
            GenerationRequest(user_id=user.id or 0, feature_id=feature.id or 0, jobs=[job])
        )
        uow.commit()
    errors: list[BaseException] = []

    def read_then_write(worker: int) -> None:
        try:
            for step in range(10):
                with SqlUnitOfWork(engine) as uow:
                    loaded = uow.requests.get(request.id or 0)
                    loaded.metadata[f"{worker}-{step}"] = step
                    uow.requests.save(loaded)
                    uow.commit()
        except BaseException as error:  # reported below, in the main thread
            errors.append(error)

    threads = [threading.Thread(target=read_then_write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with SqlUnitOfWork(engine) as uow:
        final = uow.requests.get(request.id or 0)
    engine.dispose()
    assert errors == []
    assert len(final.metadata) == 60


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    moment=st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9000, 1, 1)),
    offset=st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59),
)
def test_any_aware_timestamp_reads_back_as_the_same_instant_in_utc(
    engine: sa.Engine, moment: datetime, offset: int
) -> None:
    aware = moment.replace(tzinfo=timezone(timedelta(minutes=offset)))
    query = sa.select(sa.bindparam("moment", aware, type_=UtcDateTime()))
    with engine.connect() as connection:
        loaded = connection.execute(query).scalar_one()
    assert loaded == aware
    assert loaded.tzinfo is UTC


def test_a_naive_timestamp_is_refused(engine: sa.Engine) -> None:
    query = sa.select(sa.bindparam("moment", datetime(2026, 1, 1), type_=UtcDateTime()))
    with engine.connect() as connection, pytest.raises(sa.exc.StatementError, match="naive"):
        connection.execute(query)
