"""The one MetaData, its naming convention and the column types shared by every table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from genmedia.domain.catalog import MediaCategory
from genmedia.domain.media import MediaKind
from genmedia.domain.provider_model import ModelCategory
from genmedia.domain.status import Status

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware timestamp that always reads back as an aware UTC datetime."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """Refuse naive datetimes and store aware ones in UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        """Read SQLite's naive UTC text and PostgreSQL's aware values alike as aware UTC."""
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_type(enum_class: type[Any], name: str) -> sa.Enum:
    """A native enum on PostgreSQL (a CHECKed string on SQLite) storing the members' values."""
    return sa.Enum(
        enum_class, name=name, values_callable=lambda members: [m.value for m in members]
    )


MEDIA_TYPE = enum_type(MediaCategory, "generation_media_type_enum")
JOB_STATUS = enum_type(Status, "generation_job_status_enum")
MEDIA_KIND = enum_type(MediaKind, "generation_media_kind_enum")
MODEL_CATEGORY = enum_type(ModelCategory, "provider_model_category_enum")

PRIMARY_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON_DOC = postgresql.JSONB(none_as_null=True).with_variant(sa.JSON(none_as_null=True), "sqlite")
TEXT_LIST = postgresql.ARRAY(sa.Text()).with_variant(sa.JSON(), "sqlite")
ID_LIST = postgresql.ARRAY(sa.BigInteger()).with_variant(sa.JSON(), "sqlite")
NOW = sa.text("CURRENT_TIMESTAMP")


def id_column() -> sa.Column[int]:
    """The surrogate key: BIGSERIAL on PostgreSQL, INTEGER (rowid alias) on SQLite."""
    return sa.Column("id", PRIMARY_KEY, primary_key=True, autoincrement=True)


def foreign_key(name: str, target: str, ondelete: str, *, nullable: bool = True) -> sa.Column[int]:
    """A BIGINT reference to `target` ("table.column") with its ON DELETE rule."""
    return sa.Column(
        name, sa.BigInteger(), sa.ForeignKey(target, ondelete=ondelete), nullable=nullable
    )


def flag(name: str, default: bool) -> sa.Column[bool]:
    """A NOT NULL boolean with a server default."""
    return sa.Column(
        name, sa.Boolean(), nullable=False, server_default=sa.true() if default else sa.false()
    )


def counter(name: str) -> sa.Column[int]:
    """A NOT NULL integer that starts at zero."""
    return sa.Column(name, sa.Integer(), nullable=False, server_default="0")


def timestamps(*, soft_delete: bool = True) -> list[sa.Column[datetime]]:
    """created_at, updated_at (set by the database) and, for soft-deleted tables, deleted_at."""
    columns: list[sa.Column[datetime]] = [
        sa.Column("created_at", UtcDateTime(), nullable=False, server_default=NOW),
        sa.Column(
            "updated_at", UtcDateTime(), nullable=False, server_default=NOW, onupdate=sa.func.now()
        ),
    ]
    if soft_delete:
        columns.append(sa.Column("deleted_at", UtcDateTime(), nullable=True))
    return columns


def partial_index(name: str, *columns: Any, where: Any) -> sa.Index:
    """An index restricted by `where`, on PostgreSQL and SQLite alike."""
    return sa.Index(name, *columns, postgresql_where=where, sqlite_where=where)


def live(table: sa.Table) -> sa.ColumnElement[bool]:
    """Rows of a soft-deleted table that are not deleted."""
    return table.c.deleted_at.is_(None)


def active_and_live(table: sa.Table) -> sa.ColumnElement[bool]:
    """Rows that are live and flagged active."""
    return sa.and_(live(table), table.c.is_active == sa.true())
