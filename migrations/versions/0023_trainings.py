"""Trainings (SPEC TRN-1, TRN-2; seed 003 model_training_images).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08 09:00:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.

A training is the one job of a request on the generation pipeline; it has no feature, so
`feature_id` becomes nullable on requests and jobs. A trained model records the request
that trains it, how many images and credits its training took, and why it failed; its
images are kept in order with their size and file name.

SQLite cannot change a column's nullability in place, so generation_requests and
generation_jobs are rebuilt (a batch copy). That is only safe with foreign-key enforcement
off, as env.py sets it (dropping the old tables would otherwise delete their children); the
rebuild refuses to run with enforcement on, and checks the keys of the new tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MODELS = "trained_models"
IMAGES = "trained_model_images"
REBUILT = ("generation_requests", "generation_jobs")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NOW = sa.text("CURRENT_TIMESTAMP")


def _refuse_sqlite_rebuild_with_foreign_keys_on() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "rebuilding generation_requests and generation_jobs on SQLite needs foreign keys "
            "off (PRAGMA foreign_keys=OFF before the migration's transaction begins)"
        )


def _check_sqlite_foreign_keys() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for table in REBUILT:
            broken = bind.exec_driver_sql(f"PRAGMA foreign_key_check({table})").all()
            if broken:
                raise RuntimeError(f"{table} has rows with broken foreign keys: {broken[:5]}")


def _feature_nullable(nullable: bool) -> None:
    _refuse_sqlite_rebuild_with_foreign_keys_on()
    for table in REBUILT:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("feature_id", existing_type=sa.BigInteger(), nullable=nullable)
    _check_sqlite_foreign_keys()


def upgrade() -> None:
    """Let requests and jobs have no feature; add the training columns and the images."""
    _feature_nullable(True)
    with op.batch_alter_table(MODELS) as batch:
        batch.add_column(sa.Column("training_request_id", sa.BigInteger()))
        batch.add_column(
            sa.Column("images_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(
            sa.Column("training_credits_used", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("training_error", sa.Text()))
    op.create_index(
        "idx_trained_models_training_request_id", MODELS, ["training_request_id"], unique=True
    )
    op.create_table(
        IMAGES,
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column(
            "trained_model_id",
            sa.BigInteger(),
            sa.ForeignKey(
                f"{MODELS}.id",
                ondelete="CASCADE",
                name=op.f(f"fk_{IMAGES}_trained_model_id_{MODELS}"),
            ),
            nullable=False,
        ),
        sa.Column(
            "media_id",
            sa.BigInteger(),
            sa.ForeignKey(
                "generation_media.id",
                ondelete="SET NULL",
                name=op.f(f"fk_{IMAGES}_media_id_generation_media"),
            ),
        ),
        sa.Column("image_order", sa.Integer(), nullable=False),
        sa.Column("image_url", sa.Text(), nullable=False),
        sa.Column("file_format", sa.String(16), nullable=False),
        sa.Column("file_size", sa.Integer()),
        sa.Column("file_name", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{IMAGES}")),
        sa.UniqueConstraint(
            "trained_model_id",
            "image_order",
            name=op.f(f"uq_{IMAGES}_trained_model_id_image_order"),
        ),
        sa.CheckConstraint("image_order >= 1", name=op.f(f"ck_{IMAGES}_image_order_positive")),
    )


def downgrade() -> None:
    """Drop the images and the training columns; requests and jobs need a feature again, so
    this refuses to run while a training's request (which has none) exists: the ledger
    links it and is append-only."""
    trainings = op.get_bind().exec_driver_sql(
        "SELECT count(*) FROM generation_requests WHERE feature_id IS NULL"
    )
    if trainings.scalar():
        raise RuntimeError("cannot downgrade below 0023: requests of trainings exist")
    op.drop_table(IMAGES)
    op.drop_index("idx_trained_models_training_request_id", table_name=MODELS)
    with op.batch_alter_table(MODELS) as batch:
        for column in (
            "training_error",
            "training_credits_used",
            "images_count",
            "training_request_id",
        ):
            batch.drop_column(column)
    _feature_nullable(False)
