"""Admin: articles (API.md, Admin; SPEC CNT-1), in every status.

Status changes are actions, one per act of the lifecycle (domain/article.py), each a POST:
`publish` (draft → published), `unpublish` (published → draft), `archive` (draft or
published → archived), `restore` (archived → draft); any other move answers 409.
PATCH changes the title, slug or content only. DELETE removes an article for good; the
audit log keeps its last state. Every write is recorded in the audit log.
"""

from __future__ import annotations

from typing import Annotated

from litestar import delete, get, patch, post
from litestar.params import JSONBody, QueryParameter

from genmedia.application.content.commands import ReviseArticle, WriteArticle
from genmedia.domain.article import Article, ArticleStatus
from genmedia.domain.errors import InvalidValue
from genmedia.entrypoints.container import Container
from genmedia.entrypoints.http.admin import admin_router
from genmedia.entrypoints.http.dependencies import Caller, Paging, Services
from genmedia.entrypoints.http.idempotency import idempotent
from genmedia.entrypoints.http.pagination import Page
from genmedia.entrypoints.http.params import Id
from genmedia.entrypoints.http.presenters.content import (
    AdminArticleView,
    ArticleBody,
    ArticlePatch,
    admin_article_view,
)
from genmedia.entrypoints.http.presenters.pages import page_view
from genmedia.entrypoints.http.problems import responses

Status = Annotated[ArticleStatus | None, QueryParameter(description="Only articles in it.")]
ONE = "/articles/{article_id:int}"
STATUS_BY_ACTION = "is changed by POST …/publish, …/unpublish, …/archive or …/restore"


def _shown(container: Container, article: Article) -> AdminArticleView:
    return admin_article_view(container.get_article(article.id or 0))


@get("/articles", responses=responses(401, 403, 422), sync_to_thread=True)
def list_articles(
    page: Paging, container: Services, status: Status = None
) -> Page[AdminArticleView]:
    """Articles in every status (or in `status`), newest first."""
    found = container.list_articles(status, after=page.after, limit=page.limit)
    return page_view(page, found, admin_article_view)


@idempotent
@post("/articles", status_code=201, responses=responses(400, 401, 403, 409, 422),
      sync_to_thread=True)  # fmt: skip
def create_article(
    data: JSONBody[ArticleBody], caller: Caller, container: Services
) -> AdminArticleView:
    """A new draft by the caller; 409 if the slug given is taken."""
    command = WriteArticle(
        actor_id=caller.user.id or 0, title=data.title, content=data.content, slug=data.slug
    )
    return _shown(container, container.write_article(command))


@get(ONE, responses=responses(401, 403, 404, 422), sync_to_thread=True)
def get_article(article_id: Id, container: Services) -> AdminArticleView:
    """One article, in any status."""
    return admin_article_view(container.get_article(article_id))


@patch(ONE, responses=responses(400, 401, 403, 404, 409, 422), sync_to_thread=True)
def revise_article(
    article_id: Id, data: JSONBody[ArticlePatch], caller: Caller, container: Services
) -> AdminArticleView:
    """Change the title, slug or content; 409 if the new slug is taken."""
    if data.status is not None:
        raise InvalidValue("status", STATUS_BY_ACTION)
    command = ReviseArticle(
        actor_id=caller.user.id or 0,
        article_id=article_id,
        title=data.title,
        slug=data.slug,
        content=data.content,
    )
    return _shown(container, container.revise_article(command))


@delete(ONE, status_code=204, responses=responses(401, 403, 404, 422), sync_to_thread=True)
def delete_article(article_id: Id, caller: Caller, container: Services) -> None:
    """Delete an article for good."""
    container.delete_article(caller.user.id or 0, article_id)


ACTED = responses(401, 403, 404, 409, 422)


@post(f"{ONE}/publish", status_code=200, responses=ACTED, sync_to_thread=True)
def publish_article(article_id: Id, caller: Caller, container: Services) -> AdminArticleView:
    """Publish a draft: everyone can read it; its first publication dates it."""
    return _shown(container, container.publish_article(caller.user.id or 0, article_id))


@post(f"{ONE}/unpublish", status_code=200, responses=ACTED, sync_to_thread=True)
def unpublish_article(article_id: Id, caller: Caller, container: Services) -> AdminArticleView:
    """Take a published article back to draft."""
    return _shown(container, container.unpublish_article(caller.user.id or 0, article_id))


@post(f"{ONE}/archive", status_code=200, responses=ACTED, sync_to_thread=True)
def archive_article(article_id: Id, caller: Caller, container: Services) -> AdminArticleView:
    """Withdraw a draft or a published article, keeping it."""
    return _shown(container, container.archive_article(caller.user.id or 0, article_id))


@post(f"{ONE}/restore", status_code=200, responses=ACTED, sync_to_thread=True)
def restore_article(article_id: Id, caller: Caller, container: Services) -> AdminArticleView:
    """Bring an archived article back as a draft."""
    return _shown(container, container.restore_article(caller.user.id or 0, article_id))


ACTIONS = [publish_article, unpublish_article, archive_article, restore_article]

router = admin_router(
    [list_articles, create_article, get_article, revise_article, delete_article, *ACTIONS],
    "admin: articles",
)
