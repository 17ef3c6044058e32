"""Generation batches (SPEC GEN-7), the batch a request belongs to, and the index that finds
photos by the facts of their media's metadata.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 10:00:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.

A batch stores what was asked; its status, images and credits follow its requests. SQLite
cannot add a foreign key to an existing table, so generation_requests is rebuilt (a batch
copy), which is only safe with foreign-key enforcement off, as env.py sets it (see 0005).
The metadata index is a GIN index (jsonb_path_ops, for @>) on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON_DOC = postgresql.JSONB(none_as_null=True).with_variant(sa.JSON(none_as_null=True), "sqlite")
ID_LIST = postgresql.ARRAY(sa.BigInteger()).with_variant(sa.JSON(), "sqlite")
NOW = sa.text("CURRENT_TIMESTAMP")
LIVE = "deleted_at IS NULL"
TABLE = "generation_batches"
REQUESTS = "generation_requests"
REQUEST_FK = "fk_generation_requests_batch_id_generation_batches"
REQUEST_INDEX = "idx_generation_requests_batch_id"
MEDIA_INDEX = "idx_generation_media_metadata"


def _fk(name: str, target: str, ondelete: str, nullable: bool = True) -> sa.Column[Any]:
    referred = target.split(".")[0]
    key = sa.ForeignKey(target, ondelete=ondelete, name=op.f(f"fk_{TABLE}_{name}_{referred}"))
    return sa.Column(name, sa.BigInteger(), key, nullable=nullable)


def _check(name: str, condition: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition, name=op.f(f"ck_{TABLE}_{name}"))


def _stamp(name: str, nullable: bool = False) -> sa.Column[Any]:
    default = None if nullable else NOW
    return sa.Column(name, sa.DateTime(timezone=True), server_default=default, nullable=nullable)


def _where(condition: str) -> dict[str, Any]:
    return {"postgresql_where": sa.text(condition), "sqlite_where": sa.text(condition)}


def _refuse_sqlite_rebuild_with_foreign_keys_on() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            f"rebuilding {REQUESTS} on SQLite needs foreign keys off (PRAGMA foreign_keys=OFF "
            "before the migration's transaction begins), or its jobs would be deleted"
        )


def _batches() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        _fk("user_id", "users.id", "CASCADE", nullable=False),
        sa.Column("project_id", sa.BigInteger()),
        _fk("feature_id", "generation_features.id", "RESTRICT", nullable=False),
        _fk("template_id", "generation_templates.id", "SET NULL"),
        _fk("trained_model_id", "trained_models.id", "SET NULL"),
        sa.Column("reference_media_ids", ID_LIST, nullable=False),
        sa.Column("images_per_reference", sa.Integer(), nullable=False),
        sa.Column("selected_options", JSON_DOC),
        sa.Column("user_prompt", sa.Text(), server_default="", nullable=False),
        sa.Column("credits_reserved", sa.Integer(), server_default="0", nullable=False),
        _stamp("created_at"),
        _stamp("updated_at"),
        _stamp("deleted_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        _check("images_per_reference_positive", "images_per_reference > 0"),
        _check("credits_reserved_not_negative", "credits_reserved >= 0"),
    )
    op.create_index("idx_generation_batches_user_recent", TABLE, ["user_id", "id"], **_where(LIVE))


def upgrade() -> None:
    """Create generation_batches, point requests at it, index the media's metadata."""
    _batches()
    _refuse_sqlite_rebuild_with_foreign_keys_on()
    with op.batch_alter_table(REQUESTS) as requests:
        requests.add_column(sa.Column("batch_id", sa.BigInteger()))
        requests.create_foreign_key(
            op.f(REQUEST_FK), TABLE, ["batch_id"], ["id"], ondelete="SET NULL"
        )
    op.create_index(REQUEST_INDEX, REQUESTS, ["batch_id"], **_where("batch_id IS NOT NULL"))
    op.create_index(
        MEDIA_INDEX,
        "generation_media",
        ["metadata"],
        postgresql_using="gin",
        postgresql_ops={"metadata": "jsonb_path_ops"},
        **_where(LIVE),
    )


def downgrade() -> None:
    """Drop the metadata index, the requests' batch and generation_batches."""
    op.drop_index(MEDIA_INDEX, table_name="generation_media")
    op.drop_index(REQUEST_INDEX, table_name=REQUESTS)
    _refuse_sqlite_rebuild_with_foreign_keys_on()
    with op.batch_alter_table(REQUESTS) as requests:
        requests.drop_constraint(op.f(REQUEST_FK), type_="foreignkey")
        requests.drop_column("batch_id")
    op.drop_index("idx_generation_batches_user_recent", table_name=TABLE)
    op.drop_table(TABLE)
