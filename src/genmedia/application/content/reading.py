"""Reading articles: the published ones by anyone, every one by admins (SPEC CNT-1).

An article's HTML is stored when its content is written. HTML that another renderer made
(an upgrade of the Markdown library, the sanitiser or its rules) is made again as it is
read, so what is shown is always sanitised by the current rules; `rerender_articles`
stores the new HTML, so reads stop paying for it.
"""

from __future__ import annotations

from genmedia.application.inputs import choice_of
from genmedia.application.pages import DEFAULT_LIMIT, Key, Page, check_window, page_of, time_key
from genmedia.application.ports import ArticleRenderer, AuthoredArticle, UnitOfWork
from genmedia.domain.article import ArticleStatus
from genmedia.domain.errors import NotFound
from genmedia.domain.slug import MAX_SLUG, SLUG_PATTERN

RERENDER_BATCH = 50


def fresh(entry: AuthoredArticle, renderer: ArticleRenderer) -> AuthoredArticle:
    """The entry, its HTML made again if another renderer made it (nothing is stored)."""
    article = entry.article
    if article.rendering.renderer != renderer.name:
        article.rerender(renderer.render(article.content))
    return entry


def _published_key(entry: AuthoredArticle) -> Key:
    published = entry.article.publication_date
    return (time_key(published) if published else 0, entry.article.id or 0)


def list_published_articles(
    *,
    uow: UnitOfWork,
    renderer: ArticleRenderer,
    after: Key | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[AuthoredArticle]:
    """Published articles, newest publication first."""
    check_window(after, limit, 2)
    with uow:
        rows = uow.articles.list_published(after=after, limit=limit + 1)
    page = page_of(rows, limit, _published_key)
    return Page([fresh(entry, renderer) for entry in page.items], page.next_after)


def get_published_article(
    key: int | str, *, uow: UnitOfWork, renderer: ArticleRenderer
) -> AuthoredArticle:
    """A published article by id or slug; NotFound for one in draft, archived or unknown."""
    if isinstance(key, str) and (len(key) > MAX_SLUG or not SLUG_PATTERN.match(key)):
        raise NotFound("article", key)
    with uow:
        entry = uow.articles.read(key)
    if entry is None or not entry.article.is_public:
        raise NotFound("article", key)
    return fresh(entry, renderer)


def list_articles(
    status: ArticleStatus | str | None = None,
    *,
    uow: UnitOfWork,
    renderer: ArticleRenderer,
    after: Key | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[AuthoredArticle]:
    """Articles in every status (or in `status`), newest first: the admins' list."""
    chosen = choice_of(ArticleStatus, status, "status")
    check_window(after, limit, 1)
    with uow:
        rows = uow.articles.list_all(chosen, after=after, limit=limit + 1)
    page = page_of(rows, limit, lambda e: (e.article.id or 0,))
    return Page([fresh(entry, renderer) for entry in page.items], page.next_after)


def get_article(article_id: int, *, uow: UnitOfWork, renderer: ArticleRenderer) -> AuthoredArticle:
    """An article in any status, for admins; NotFound if there is none."""
    with uow:
        entry = uow.articles.read(article_id)
    if entry is None:
        raise NotFound("article", article_id)
    return fresh(entry, renderer)


def rerender_articles(
    *, uow: UnitOfWork, renderer: ArticleRenderer, batch: int = RERENDER_BATCH
) -> int:
    """Store the HTML of every article another renderer made, made again by this one, a
    batch per transaction; how many were rendered."""
    done, after = 0, None
    while True:
        with uow:
            stale = uow.articles.list_rendered_before(renderer.name, after=after, limit=batch)
            for article in stale:
                article.rerender(renderer.render(article.content))
                uow.articles.save(article)
            uow.commit()
        done += len(stale)
        if len(stale) < batch:
            return done
        after = stale[-1].id
