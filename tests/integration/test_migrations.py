"""The Alembic migrations build exactly the schema the Core tables describe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from genmedia.adapters.sql import migrate
from genmedia.adapters.sql.engine import create_engine
from genmedia.adapters.sql.tables import generation_jobs, metadata
from tests.integration.test_dispatch_sql import jobs_for, templated_jobs, user, world

pytestmark = pytest.mark.integration

HEAD = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_current_head()
ENUMS = {
    column.type.name
    for table in metadata.tables.values()
    for column in table.columns
    if isinstance(column.type, sa.Enum)
}


def _differences(url: str) -> list[Any]:
    engine = create_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def _inspect(url: str) -> tuple[set[str], set[str]]:
    engine = create_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            enums = connection.exec_driver_sql("SELECT typname FROM pg_type WHERE typtype = 'e'")
            return tables, set(enums.scalars())
    finally:
        engine.dispose()


def test_the_migrated_postgresql_schema_matches_the_tables(empty_postgres_url: str) -> None:
    migrate.upgrade(empty_postgres_url)
    assert _differences(empty_postgres_url) == []


def test_a_migrated_postgresql_database_has_the_native_enums(empty_postgres_url: str) -> None:
    migrate.upgrade(empty_postgres_url)
    tables, enums = _inspect(empty_postgres_url)
    assert tables == {*metadata.tables, "alembic_version"}
    assert "generation_job_status_enum" in enums
    assert enums == ENUMS


def test_postgresql_downgrades_to_base_and_upgrades_again(empty_postgres_url: str) -> None:
    assert migrate.current(empty_postgres_url) is None
    migrate.upgrade(empty_postgres_url)
    head = migrate.current(empty_postgres_url)
    migrate.downgrade(empty_postgres_url, "base")
    assert migrate.current(empty_postgres_url) is None
    assert _inspect(empty_postgres_url) == ({"alembic_version"}, set())
    migrate.upgrade(empty_postgres_url)
    assert migrate.current(empty_postgres_url) == head == HEAD
    assert _differences(empty_postgres_url) == []


def test_a_fresh_sqlite_file_is_migrated_and_matches_the_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'dir' / 'genmedia.db'}"
    migrate.upgrade(url)
    assert migrate.current(url) == HEAD
    assert _differences(url) == []
    migrate.downgrade(url, "base")
    assert migrate.current(url) is None
    migrate.upgrade(url)
    assert migrate.current(url) == HEAD


def test_the_migrations_are_found_without_an_alembic_ini() -> None:
    location = migrate.migrations_dir()
    assert (location / "env.py").is_file()
    assert (location / "versions" / "0001_initial.py").is_file()


def _jobs_of_two_providers(url: str) -> dict[int, str | None]:
    """Submit a fal and a local job on the database at `url`; the providers by job id, as the
    provider column holds them after the migrations are taken down past 0011 and up again."""
    engine = create_engine(url, pool_size=1)
    try:
        world(engine)
        ids = templated_jobs(engine, user(engine, "m@x.io"), "fal-golden-hour", 1)
        ids += jobs_for(engine, user(engine, "n@x.io"), 1)
    finally:
        engine.dispose()
    migrate.downgrade(url, "0010")
    migrate.upgrade(url)
    engine = create_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            query = sa.select(generation_jobs.c.id, generation_jobs.c.provider)
            return dict(connection.execute(query.where(generation_jobs.c.id.in_(ids))).all())
    finally:
        engine.dispose()


def test_the_provider_column_is_filled_in_from_each_jobs_input_on_postgresql(
    empty_postgres_url: str,
) -> None:
    migrate.upgrade(empty_postgres_url)
    assert sorted(_jobs_of_two_providers(empty_postgres_url).values()) == ["fal", "local"]


def test_the_provider_column_is_filled_in_from_each_jobs_input_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'provider.db'}"
    migrate.upgrade(url)
    assert sorted(_jobs_of_two_providers(url).values()) == ["fal", "local"]


# Jobs as revision 0011 kept their cost (its amount in US dollars, or only in the provider
# metadata), and the amount and unit 0012 gives each.
FAL_FACTS = {"billable_units": 1.5, "cost_unit": "fal billable units"}
REPLICATE_FACTS = {"predict_time": 1.25, "provider_cost_unit": "seconds"}
OLD_COSTS = [
    ("bfl", 0.04, None, (4.0, "bfl_credits")),
    ("openrouter", 0.039, None, (0.039, "usd")),
    ("local", 0.0, None, (0.0, "usd")),
    ("fal", None, FAL_FACTS, (1.5, "fal_billable_units")),
    ("replicate", None, REPLICATE_FACTS, (1.25, "replicate_predict_seconds")),
    ("fal", None, {"billable_units": "lots"}, (None, None)),
    ("replicate", None, None, (None, None)),
]


def _costs(url: str, ids: list[int]) -> list[tuple[float | None, str | None]]:
    engine = create_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            jobs = generation_jobs.c
            query = sa.select(jobs.id, jobs.provider_cost, jobs.provider_cost_unit)
            found = {row.id: row for row in connection.execute(query.where(jobs.id.in_(ids)))}
    finally:
        engine.dispose()
    return [(found[i].provider_cost, found[i].provider_cost_unit) for i in ids]


def _old_costs_given_their_units(url: str) -> tuple[list[int], list[Any]]:
    """Jobs whose costs revision 0011 kept as `OLD_COSTS` says, taken up to 0012; their ids
    and the amount and unit each has then."""
    engine = create_engine(url, pool_size=1)
    try:
        world(engine)
        ids = jobs_for(engine, user(engine, "c@x.io"), len(OLD_COSTS))
    finally:
        engine.dispose()
    migrate.downgrade(url, "0011")
    engine = create_engine(url, pool_size=1)
    try:
        with engine.begin() as connection:
            for job_id, (provider, cost, facts, _) in zip(ids, OLD_COSTS, strict=True):
                metadata = None if facts is None else {"model": "m", "provider_metadata": facts}
                values = {"provider": provider, "provider_cost": cost, "output_metadata": metadata}
                update = sa.update(generation_jobs).where(generation_jobs.c.id == job_id)
                connection.execute(update.values(values))
    finally:
        engine.dispose()
    migrate.upgrade(url)
    return ids, _costs(url, ids)


def _dollars_after_a_downgrade(url: str, ids: list[int]) -> list[float | None]:
    migrate.downgrade(url, "0011")
    engine = create_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            jobs = generation_jobs.c
            query = sa.select(jobs.id, jobs.provider_cost).where(jobs.id.in_(ids))
            found = dict(connection.execute(query).all())
    finally:
        engine.dispose()
    return [found[i] for i in ids]


DOLLARS_AGAIN = [0.04, 0.039, 0.0, None, None, None, None]


def test_each_kept_provider_cost_gets_its_unit_on_postgresql(empty_postgres_url: str) -> None:
    migrate.upgrade(empty_postgres_url)
    ids, costs = _old_costs_given_their_units(empty_postgres_url)
    assert costs == [expected for *_, expected in OLD_COSTS]
    assert _dollars_after_a_downgrade(empty_postgres_url, ids) == DOLLARS_AGAIN


def test_each_kept_provider_cost_gets_its_unit_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cost.db'}"
    migrate.upgrade(url)
    ids, costs = _old_costs_given_their_units(url)
    assert costs == [expected for *_, expected in OLD_COSTS]
    assert _dollars_after_a_downgrade(url, ids) == DOLLARS_AGAIN
