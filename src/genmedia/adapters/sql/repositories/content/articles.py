"""Articles in SQL (SPEC CNT-1)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository, unique_or_already_exists
from genmedia.adapters.sql.repositories.pages import keyset
from genmedia.adapters.sql.tables import articles, users
from genmedia.application.pages import time_of_key
from genmedia.application.ports.content import ArticleRepository, AuthoredArticle, Key
from genmedia.domain.article import Article, ArticleStatus, Rendering
from genmedia.domain.errors import NotFound

_a = articles
_FIELDS = (
    "title", "slug", "content", "author_id", "status", "publication_date", "last_modified",
)  # fmt: skip
_PUBLISHED = _a.c.status == ArticleStatus.PUBLISHED.value
_NEWEST_PUBLISHED = [(_a.c.publication_date, True), (_a.c.id, True)]
_NEWEST = [(_a.c.id, True)]


def _row(article: Article) -> dict[str, Any]:
    values = {name: getattr(article, name) for name in _FIELDS}
    return {**values, "html": article.rendering.html, "rendered_with": article.rendering.renderer}


def _article(row: sa.Row[Any]) -> Article:
    return Article(
        id=row.id,
        created_at=row.created_at,
        rendering=Rendering(row.html, row.rendered_with),
        **{name: getattr(row, name) for name in _FIELDS},
    )


def _authored() -> sa.Select[Any]:
    return sa.select(_a, users.c.name.label("author_name")).join(
        users, users.c.id == _a.c.author_id
    )


class SqlArticleRepository(SqlRepository, ArticleRepository):
    """Articles; the slug is unique, a deleted article is gone."""

    def add(self, article: Article) -> Article:
        """Insert an article; AlreadyExists if its slug is taken."""
        statement = sa.insert(_a).values(_row(article)).returning(_a.c.id, _a.c.created_at)
        with unique_or_already_exists(self._connection, "article", article.slug):
            article_id, created_at = self._connection.execute(statement).one()
        article.stored_as(article_id, created_at=created_at)
        return article

    def get(self, article_id: int, *, for_update: bool = False) -> Article:
        """The article with this id (row-locked with `for_update`), or NotFound."""
        query = sa.select(_a).where(_a.c.id == article_id)
        row = self._one(query.with_for_update() if for_update else query)
        if row is None:
            raise NotFound("article", article_id)
        return _article(row)

    def save(self, article: Article) -> None:
        """Write back the article; AlreadyExists if its new slug is taken."""
        statement = sa.update(_a).where(_a.c.id == article.id).values(_row(article))
        with unique_or_already_exists(self._connection, "article", article.slug):
            updated = self._connection.execute(statement).rowcount
        if updated != 1:
            raise NotFound("article", article.id)

    def delete(self, article_id: int) -> None:
        """Delete the article, or NotFound."""
        deleted = self._connection.execute(sa.delete(_a).where(_a.c.id == article_id)).rowcount
        if deleted != 1:
            raise NotFound("article", article_id)

    def read(self, key: int | str) -> AuthoredArticle | None:
        """The article with this id or slug, with its author's name."""
        which = _a.c.id == key if isinstance(key, int) else _a.c.slug == key
        row = self._one(_authored().where(which))
        return None if row is None else AuthoredArticle(_article(row), row.author_name)

    def list_published(self, *, after: Key | None, limit: int) -> list[AuthoredArticle]:
        """Published articles, newest publication first."""
        start = None if after is None else (time_of_key(after[0]), after[1])
        query = keyset(_authored().where(_PUBLISHED), _NEWEST_PUBLISHED, start, limit)
        return [AuthoredArticle(_article(row), row.author_name) for row in self._all(query)]

    def list_all(
        self, status: ArticleStatus | None, *, after: Key | None, limit: int
    ) -> list[AuthoredArticle]:
        """Articles in any status (or in `status`), newest first."""
        query = _authored()
        if status is not None:
            query = query.where(_a.c.status == status.value)
        rows = self._all(keyset(query, _NEWEST, after, limit))
        return [AuthoredArticle(_article(row), row.author_name) for row in rows]

    def list_rendered_before(
        self, renderer: str, *, after: int | None, limit: int
    ) -> list[Article]:
        """Articles rendered by another renderer, by id after `after`, row-locked."""
        query = sa.select(_a).where(_a.c.rendered_with != renderer)
        if after is not None:
            query = query.where(_a.c.id > after)
        rows = self._all(query.order_by(_a.c.id).limit(limit).with_for_update())
        return [_article(row) for row in rows]
