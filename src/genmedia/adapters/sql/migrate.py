"""Run the Alembic migrations programmatically; there is no alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from genmedia.adapters.sql.engine import create_engine

_HERE = Path(__file__).resolve()
_PACKAGED = _HERE.parents[2] / "_migrations"  # genmedia/_migrations inside the wheel
_REPOSITORY = _HERE.parents[4] / "migrations"  # <repo>/migrations beside <repo>/src


def migrations_dir() -> Path:
    """The migrations shipped in the wheel, else the repository's own (editable install)."""
    for candidate in (_PACKAGED, _REPOSITORY):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError(f"no migrations found at {_PACKAGED} or {_REPOSITORY}")


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the database at `url`."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("path_separator", "os")
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision`."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Take the database at `url` down to `revision` ("base" empties it)."""
    command.downgrade(alembic_config(url), revision)


def current(url: str) -> str | None:
    """The revision the database at `url` is at, or None if it was never migrated."""
    engine = create_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
