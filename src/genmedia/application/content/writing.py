"""Admins writing articles: create, revise, publish, unpublish, archive, restore, delete.

Each write is recorded in the audit log in its own transaction. A slug made from the title
that another article has already is tried again with `-2`, `-3` … (the database's unique
index decides); a slug the admin chose that is taken is a conflict.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from genmedia.application.admin.audit import audit
from genmedia.application.content.commands import ReviseArticle, WriteArticle
from genmedia.application.ports import ArticleRenderer, Clock, UnitOfWork
from genmedia.domain.article import Article, Rendering, check_fields
from genmedia.domain.errors import AlreadyExists
from genmedia.domain.slug import slug_candidates, slug_of

ENTITY = "article"
SLUG_TRIES = 20


def article_state(article: Article) -> dict[str, Any]:
    """The fields of an article the audit log keeps, as JSON values."""
    published = article.publication_date
    return {
        "title": article.title,
        "slug": article.slug,
        "content": article.content,
        "status": article.status.value,
        "author_id": article.author_id,
        "publication_date": published.isoformat() if published else None,
        "last_modified": article.last_modified.isoformat(),
    }


def _add_with_free_slug(
    uow: UnitOfWork, slugs: list[str], draft: Callable[[str], Article]
) -> Article:
    for slug in slugs[:-1]:
        try:
            return uow.articles.add(draft(slug))
        except AlreadyExists:
            continue
    return uow.articles.add(draft(slugs[-1]))


def write_article(
    command: WriteArticle, *, uow: UnitOfWork, clock: Clock, renderer: ArticleRenderer
) -> Article:
    """Create a draft; its author is the admin who writes it."""
    check_fields(title=command.title, slug=command.slug, content=command.content)
    rendering, now = renderer.render(command.content), clock.now()
    chosen = command.slug
    slugs = [chosen] if chosen else list(slug_candidates(slug_of(command.title), SLUG_TRIES))
    with uow:
        author = uow.users.get(command.actor_id)

        def draft(slug: str) -> Article:
            return Article.written_by(
                author,
                title=command.title,
                slug=slug,
                content=command.content,
                rendering=rendering,
                now=now,
            )

        article = _add_with_free_slug(uow, slugs, draft)
        audit(
            uow, command.actor_id, "create", ENTITY, article.id, None, article_state(article), now
        )
        uow.commit()
    return article


def revise_article(
    command: ReviseArticle, *, uow: UnitOfWork, clock: Clock, renderer: ArticleRenderer
) -> Article:
    """Change an article's title, slug or content, in any status."""
    check_fields(title=command.title, slug=command.slug, content=command.content)
    content: tuple[str, Rendering] | None = None
    if command.content is not None:
        content = (command.content, renderer.render(command.content))
    now = clock.now()
    with uow:
        article = uow.articles.get(command.article_id, for_update=True)
        before = article_state(article)
        if not article.revise(now, title=command.title, slug=command.slug, content=content):
            return article
        uow.articles.save(article)
        audit(
            uow, command.actor_id, "update", ENTITY, article.id, before, article_state(article), now
        )
        uow.commit()
    return article


def _change(
    uow: UnitOfWork,
    clock: Clock,
    actor_id: int,
    article_id: int,
    action: str,
    act: Callable[[Article, datetime], None],
) -> Article:
    now = clock.now()
    with uow:
        article = uow.articles.get(article_id, for_update=True)
        before = article_state(article)
        act(article, now)
        uow.articles.save(article)
        audit(uow, actor_id, action, ENTITY, article.id, before, article_state(article), now)
        uow.commit()
    return article


def publish_article(actor_id: int, article_id: int, *, uow: UnitOfWork, clock: Clock) -> Article:
    """Show a draft to everyone (Article.publish), as the admin `actor_id`."""
    return _change(uow, clock, actor_id, article_id, "publish", Article.publish)


def unpublish_article(actor_id: int, article_id: int, *, uow: UnitOfWork, clock: Clock) -> Article:
    """Take a published article back to draft (Article.unpublish)."""
    return _change(uow, clock, actor_id, article_id, "unpublish", Article.unpublish)


def archive_article(actor_id: int, article_id: int, *, uow: UnitOfWork, clock: Clock) -> Article:
    """Withdraw a draft or a published article (Article.archive)."""
    return _change(uow, clock, actor_id, article_id, "archive", Article.archive)


def restore_article(actor_id: int, article_id: int, *, uow: UnitOfWork, clock: Clock) -> Article:
    """Bring an archived article back as a draft (Article.restore)."""
    return _change(uow, clock, actor_id, article_id, "restore", Article.restore)


def delete_article(actor_id: int, article_id: int, *, uow: UnitOfWork, clock: Clock) -> None:
    """Delete an article for good, in any status; the audit log keeps what it was."""
    with uow:
        article = uow.articles.get(article_id, for_update=True)
        uow.articles.delete(article_id)
        audit(
            uow, actor_id, "delete", ENTITY, article_id, article_state(article), None, clock.now()
        )
        uow.commit()
