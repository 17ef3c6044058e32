"""Articles (SPEC CNT-1; seed 004)."""

from __future__ import annotations

import sqlalchemy as sa

from genmedia.adapters.sql.tables.base import (
    NOW,
    UtcDateTime,
    enum_type,
    foreign_key,
    id_column,
    metadata,
    partial_index,
)
from genmedia.domain.article import MAX_TITLE, ArticleStatus
from genmedia.domain.slug import MAX_SLUG

ARTICLE_STATUS = enum_type(ArticleStatus, "article_status_enum")

articles = sa.Table(
    "articles",
    metadata,
    id_column(),
    sa.Column("title", sa.String(MAX_TITLE), nullable=False),
    sa.Column("slug", sa.String(MAX_SLUG), nullable=False, unique=True),
    sa.Column("content", sa.Text(), nullable=False),
    sa.Column("html", sa.Text(), nullable=False),
    sa.Column("rendered_with", sa.String(128), nullable=False),
    foreign_key("author_id", "users.id", "RESTRICT", nullable=False),
    sa.Column("status", ARTICLE_STATUS, nullable=False, server_default=ArticleStatus.DRAFT.value),
    sa.Column("publication_date", UtcDateTime()),
    sa.Column("last_modified", UtcDateTime(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=NOW),
    sa.CheckConstraint(
        "status <> 'published' OR publication_date IS NOT NULL", name="published_is_dated"
    ),
)
_a = articles
partial_index(
    "idx_articles_published",
    _a.c.publication_date,
    _a.c.id,
    where=_a.c.status == ArticleStatus.PUBLISHED.value,
)
sa.Index("idx_articles_author_id", _a.c.author_id)
sa.Index("idx_articles_rendered_with", _a.c.rendered_with)
