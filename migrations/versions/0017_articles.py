"""Articles (SPEC CNT-1; seed 004): Markdown by admins, and the sanitised HTML made of it.

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-10 09:00:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "articles"
STATUS = sa.Enum("draft", "published", "archived", name="article_status_enum")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
PUBLISHED = "status = 'published'"


def _stamp(name: str, *, nullable: bool, default: bool = False) -> sa.Column[object]:
    server_default = sa.text("CURRENT_TIMESTAMP") if default else None
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=server_default, nullable=nullable
    )


def upgrade() -> None:
    """Create the status enum and the articles table with its indexes."""
    STATUS.create(op.get_bind(), checkfirst=True)
    op.create_table(
        TABLE,
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("rendered_with", sa.String(128), nullable=False),
        sa.Column(
            "author_id",
            sa.BigInteger(),
            sa.ForeignKey(
                "users.id", ondelete="RESTRICT", name=op.f(f"fk_{TABLE}_author_id_users")
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(*STATUS.enums, name=STATUS.name, create_type=False),
            server_default="draft",
            nullable=False,
        ),
        _stamp("publication_date", nullable=True),
        _stamp("last_modified", nullable=False),
        _stamp("created_at", nullable=False, default=True),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint("slug", name=op.f(f"uq_{TABLE}_slug")),
        sa.CheckConstraint(
            "status <> 'published' OR publication_date IS NOT NULL",
            name=op.f(f"ck_{TABLE}_published_is_dated"),
        ),
    )
    op.create_index(
        "idx_articles_published",
        TABLE,
        ["publication_date", "id"],
        postgresql_where=sa.text(PUBLISHED),
        sqlite_where=sa.text(PUBLISHED),
    )
    op.create_index("idx_articles_author_id", TABLE, ["author_id"])
    op.create_index("idx_articles_rendered_with", TABLE, ["rendered_with"])


def downgrade() -> None:
    """Drop the table and the enum."""
    op.drop_table(TABLE)
    STATUS.drop(op.get_bind(), checkfirst=True)
