"""Fakes of the content ports: articles and their renderer."""

from __future__ import annotations

import copy
import html

from genmedia.application.pages import time_key
from genmedia.application.ports import ArticleRenderer, ArticleRepository, AuthoredArticle
from genmedia.application.ports.content import Key
from genmedia.domain.article import Article, ArticleStatus, Rendering
from genmedia.domain.errors import AlreadyExists, NotFound
from tests.fakes.base import Repo, keyed


class FakeArticleRepository(Repo, ArticleRepository):
    def _check_slug(self, article: Article) -> None:
        for other in self.db.articles.values():
            if other.id != article.id and other.slug == article.slug:
                raise AlreadyExists("article", article.slug)

    def add(self, article: Article) -> Article:
        self._check_slug(article)
        article.stored_as(self._new_id(), created_at=self.db.now)
        self.db.articles[article.id or 0] = copy.deepcopy(article)
        return article

    def get(self, article_id: int, *, for_update: bool = False) -> Article:
        if article_id not in self.db.articles:
            raise NotFound("article", article_id)
        return copy.deepcopy(self.db.articles[article_id])

    def save(self, article: Article) -> None:
        self.get(article.id or 0)
        self._check_slug(article)
        self.db.articles[article.id or 0] = copy.deepcopy(article)

    def delete(self, article_id: int) -> None:
        self.get(article_id)
        del self.db.articles[article_id]

    def _authored(self, article: Article) -> AuthoredArticle:
        author = self.db.users.get(article.author_id)
        return AuthoredArticle(copy.deepcopy(article), author.name if author else None)

    def read(self, key: int | str) -> AuthoredArticle | None:
        found = [a for a in self.db.articles.values() if key in (a.id, a.slug)]
        return self._authored(found[0]) if found else None

    def list_published(self, *, after: Key | None, limit: int) -> list[AuthoredArticle]:
        public = [a for a in self.db.articles.values() if a.is_public]
        ordered = keyed(public, _published_key, after, limit, descending=True)
        return [self._authored(a) for a in ordered]

    def list_all(
        self, status: ArticleStatus | None, *, after: Key | None, limit: int
    ) -> list[AuthoredArticle]:
        chosen = [a for a in self.db.articles.values() if status in (None, a.status)]
        ordered = keyed(chosen, lambda a: (a.id or 0,), after, limit, descending=True)
        return [self._authored(a) for a in ordered]

    def list_rendered_before(
        self, renderer: str, *, after: int | None, limit: int
    ) -> list[Article]:
        stale = [a for a in self.db.articles.values() if a.rendering.renderer != renderer]
        return copy.deepcopy(keyed(stale, lambda a: (a.id or 0,), (after or 0,), limit))


def _published_key(article: Article) -> tuple[int, ...]:
    published = article.publication_date
    return (time_key(published) if published else 0, article.id or 0)


class FakeRenderer(ArticleRenderer):
    """Escapes the Markdown into one paragraph; counts its renderings; its name can change."""

    def __init__(self, name: str = "fake 1") -> None:
        self.current = name
        self.renderings = 0

    @property
    def name(self) -> str:
        return self.current

    def render(self, markdown: str) -> Rendering:
        self.renderings += 1
        return Rendering(f"<p>{html.escape(markdown)}</p>", self.current)
