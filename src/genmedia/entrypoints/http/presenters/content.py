"""Bodies of the Content routes (API.md, Content; SPEC CNT-1) and of the admins' articles."""

from __future__ import annotations

from datetime import datetime

import attrs

from genmedia.application.ports import AuthoredArticle
from genmedia.domain.article import ArticleStatus


@attrs.frozen(kw_only=True)
class ArticleBody:
    """A new draft: `slug` is made from the title when absent."""

    title: str
    content: str = ""
    slug: str | None = None


@attrs.frozen(kw_only=True)
class ArticlePatch:
    """Changes to an article: a field absent or null stays as it is. `status` is refused:
    the lifecycle actions (POST …/publish, /unpublish, /archive, /restore) change it."""

    title: str | None = None
    slug: str | None = None
    content: str | None = None
    status: str | None = None


@attrs.frozen(kw_only=True)
class AuthorView:
    """Who wrote an article."""

    id: int
    name: str | None


@attrs.frozen(kw_only=True)
class ArticleView:
    """A published article: `html` is its Markdown rendered and sanitised (no script,
    style, frame, event handler or URL but http(s), mailto and relative ones)."""

    id: int
    title: str
    slug: str
    html: str
    author: AuthorView
    publication_date: datetime | None
    last_modified: datetime


@attrs.frozen(kw_only=True)
class AdminArticleView(ArticleView):
    """An article in any status, with its Markdown, for admins."""

    content: str
    status: ArticleStatus
    created_at: datetime | None


def article_view(entry: AuthoredArticle) -> ArticleView:
    """A published article as the public sees it."""
    article = entry.article
    return ArticleView(
        id=article.id or 0,
        title=article.title,
        slug=article.slug,
        html=article.rendering.html,
        author=AuthorView(id=article.author_id, name=entry.author_name),
        publication_date=article.publication_date,
        last_modified=article.last_modified,
    )


def admin_article_view(entry: AuthoredArticle) -> AdminArticleView:
    """An article as admins see it, with its Markdown and status."""
    article = entry.article
    return AdminArticleView(
        **attrs.asdict(article_view(entry), recurse=False),
        content=article.content,
        status=article.status,
        created_at=article.created_at,
    )
