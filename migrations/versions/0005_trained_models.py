"""Trained models (LoRA), and the trained model a generation request used.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 12:00:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.

SQLite cannot add a foreign key to an existing table, so generation_requests is rebuilt (a
batch copy). That is only safe with foreign-key enforcement off, as env.py sets it: dropping
the old table would otherwise delete its jobs and touch the append-only ledger. The rebuild
refuses to run with enforcement on, and checks the keys of the new table before committing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MODEL_TYPE = sa.Enum("style", "portrait", name="trained_model_type_enum")
MODEL_STATUS = sa.Enum(
    "pending", "training", "completed", "failed", name="trained_model_status_enum"
)
MODEL_GENDER = sa.Enum("male", "female", name="trained_model_gender_enum")
ENUMS = (MODEL_TYPE, MODEL_STATUS, MODEL_GENDER)

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NOW = sa.text("CURRENT_TIMESTAMP")
LIVE = "deleted_at IS NULL"
TABLE = "trained_models"
REQUESTS = "generation_requests"
REQUEST_FK = "fk_generation_requests_trained_model_id_trained_models"


def _enum(enum: sa.Enum) -> sa.Enum:
    return sa.Enum(*enum.enums, name=enum.name, create_type=False)


def _fk(name: str, target: str, ondelete: str) -> sa.Column[Any]:
    referred = target.split(".")[0]
    key = sa.ForeignKey(target, ondelete=ondelete, name=op.f(f"fk_{TABLE}_{name}_{referred}"))
    return sa.Column(name, sa.BigInteger(), key, nullable=False)


def _check(name: str, condition: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition, name=op.f(f"ck_{TABLE}_{name}"))


def _stamp(name: str, nullable: bool = False) -> sa.Column[Any]:
    default = None if nullable else NOW
    return sa.Column(name, sa.DateTime(timezone=True), server_default=default, nullable=nullable)


def _index(name: str, table: str, columns: list[str], where: str | None = None) -> None:
    options = (
        {}
        if where is None
        else {"postgresql_where": sa.text(where), "sqlite_where": sa.text(where)}
    )
    op.create_index(name, table, columns, **options)


def _refuse_sqlite_rebuild_with_foreign_keys_on() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            f"rebuilding {REQUESTS} on SQLite needs foreign keys off (PRAGMA foreign_keys=OFF "
            "before the migration's transaction begins), or its jobs would be deleted"
        )


def _check_sqlite_foreign_keys() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        broken = bind.exec_driver_sql(f"PRAGMA foreign_key_check({REQUESTS})").all()
        if broken:
            raise RuntimeError(f"{REQUESTS} has rows with broken foreign keys: {broken[:5]}")


def upgrade() -> None:
    """Create the enums and the trained_models table; point requests at it."""
    bind = op.get_bind()
    for enum in ENUMS:
        enum.create(bind, checkfirst=True)
    _trained_models()
    _refuse_sqlite_rebuild_with_foreign_keys_on()
    with op.batch_alter_table(REQUESTS) as requests:
        requests.add_column(sa.Column("trained_model_id", sa.BigInteger()))
        requests.create_foreign_key(
            op.f(REQUEST_FK), TABLE, ["trained_model_id"], ["id"], ondelete="SET NULL"
        )
    _check_sqlite_foreign_keys()
    _index(
        "idx_generation_requests_trained_model_id",
        REQUESTS,
        ["trained_model_id"],
        "trained_model_id IS NOT NULL",
    )


def downgrade() -> None:
    """Drop the request column, the table and the enums."""
    bind = op.get_bind()
    op.drop_index("idx_generation_requests_trained_model_id", table_name=REQUESTS)
    _refuse_sqlite_rebuild_with_foreign_keys_on()
    with op.batch_alter_table(REQUESTS) as requests:
        requests.drop_constraint(op.f(REQUEST_FK), type_="foreignkey")
        requests.drop_column("trained_model_id")
    _check_sqlite_foreign_keys()
    op.drop_table(TABLE)
    for enum in ENUMS:
        enum.drop(bind, checkfirst=True)


def _trained_models() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        _fk("owner_id", "users.id", "CASCADE"),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("trigger_word", sa.String(64), nullable=False),
        _fk("base_model_id", "provider_models.id", "RESTRICT"),
        sa.Column("type", _enum(MODEL_TYPE), server_default="style", nullable=False),
        sa.Column("status", _enum(MODEL_STATUS), server_default="pending", nullable=False),
        sa.Column("preview_image_url", sa.Text()),
        sa.Column("is_public", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("price", sa.Integer(), server_default="2", nullable=False),
        sa.Column("gender", _enum(MODEL_GENDER)),
        sa.Column("weights_url", sa.Text()),
        sa.Column("config_url", sa.Text()),
        _stamp("created_at"),
        _stamp("updated_at"),
        _stamp("deleted_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint("weights_url", name=op.f(f"uq_{TABLE}_weights_url")),
        sa.UniqueConstraint("config_url", name=op.f(f"uq_{TABLE}_config_url")),
        _check("price_not_negative", "price >= 0"),
        _check("weights_when_completed", "status <> 'completed' OR weights_url IS NOT NULL"),
    )
    _index("idx_trained_models_owner_id", TABLE, ["owner_id", "id"], LIVE)
    _index("idx_trained_models_public", TABLE, ["is_public", "id"], f"is_public = true AND {LIVE}")
    _index("idx_trained_models_base_model_id", TABLE, ["base_model_id"])
