"""A feature's fallback model, as templates have one (seed 000 `legacy_provider_model_id`).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 05:30:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.

A request's jobs fall back to this model when their primary provider is unavailable or not
configured (a template's own legacy model wins over its feature's).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FK = "fk_generation_features_legacy_provider_model_id_provider_models"


def upgrade() -> None:
    """Add the column and its reference to the provider models."""
    with op.batch_alter_table("generation_features") as batch:
        batch.add_column(sa.Column("legacy_provider_model_id", sa.BigInteger()))
        batch.create_foreign_key(
            op.f(_FK), "provider_models", ["legacy_provider_model_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    """Drop the column and its reference."""
    with op.batch_alter_table("generation_features") as batch:
        batch.drop_constraint(op.f(_FK), type_="foreignkey")
        batch.drop_column("legacy_provider_model_id")
