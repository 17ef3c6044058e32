"""Content (API.md, Content; SPEC CNT-1): published articles, readable without a token.

An article in draft or archived answers 404, as one that does not exist. An article is
found by its id or by its slug.
"""

from __future__ import annotations

from litestar import Router, get
from litestar.params import FromPath

from genmedia.entrypoints.http.auth import ANONYMOUS
from genmedia.entrypoints.http.dependencies import Paging, Services
from genmedia.entrypoints.http.pagination import Page
from genmedia.entrypoints.http.presenters.content import ArticleView, article_view
from genmedia.entrypoints.http.presenters.pages import page_view
from genmedia.entrypoints.http.problems import responses
from genmedia.entrypoints.http.routes.catalog import template_key as id_or_slug


@get("/articles", responses=responses(422), sync_to_thread=True)
def list_articles(page: Paging, container: Services) -> Page[ArticleView]:
    """Published articles, newest publication first."""
    found = container.list_published_articles(after=page.after, limit=page.limit)
    return page_view(page, found, article_view)


@get("/articles/{key:str}", responses=responses(404), sync_to_thread=True)
def get_article(key: FromPath[str], container: Services) -> ArticleView:
    """One published article, by id or slug."""
    return article_view(container.get_published_article(id_or_slug(key)))


router = Router(
    "/v1", route_handlers=[list_articles, get_article], tags=["content"], opt={ANONYMOUS: True}
)
