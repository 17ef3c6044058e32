"""Ports of content (SPEC CNT-1): articles, and the renderer of their Markdown."""

from __future__ import annotations

import abc

import attrs

from genmedia.domain.article import Article, ArticleStatus, Rendering

Key = tuple[int, ...]


@attrs.frozen
class AuthoredArticle:
    """An article as read for showing: with its author's name (None if the author has none)."""

    article: Article
    author_name: str | None


class ArticleRepository(abc.ABC):
    """Articles; the slug is unique."""

    @abc.abstractmethod
    def add(self, article: Article) -> Article:
        """Insert an article and give it its id; AlreadyExists if its slug is taken."""

    @abc.abstractmethod
    def get(self, article_id: int, *, for_update: bool = False) -> Article:
        """The article with this id (locked until the end of the transaction with
        `for_update`), or NotFound."""

    @abc.abstractmethod
    def save(self, article: Article) -> None:
        """Write back every changeable field; AlreadyExists if the new slug is taken,
        NotFound if the article is gone."""

    @abc.abstractmethod
    def delete(self, article_id: int) -> None:
        """Delete the article, or NotFound."""

    @abc.abstractmethod
    def read(self, key: int | str) -> AuthoredArticle | None:
        """The article with this id (an int) or slug (a str), with its author's name."""

    @abc.abstractmethod
    def list_published(self, *, after: Key | None, limit: int) -> list[AuthoredArticle]:
        """Published articles, newest publication first (key: publication date in
        microseconds since the epoch, then id), from after the key `after`."""

    @abc.abstractmethod
    def list_all(
        self, status: ArticleStatus | None, *, after: Key | None, limit: int
    ) -> list[AuthoredArticle]:
        """Articles in any status (or in `status`), newest first (key: id)."""

    @abc.abstractmethod
    def list_rendered_before(
        self, renderer: str, *, after: int | None, limit: int
    ) -> list[Article]:
        """Articles whose HTML another renderer than `renderer` made, by id after `after`."""


class ArticleRenderer(abc.ABC):
    """Turns an article's Markdown into HTML that is safe to put in a page as it is: no
    script, style or frame, no event handler, no URL but http(s), mailto and relative ones."""

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """The renderer and the versions of its rules and libraries: HTML rendered under
        another name is rendered again."""

    @abc.abstractmethod
    def render(self, markdown: str) -> Rendering:
        """The sanitised HTML of the Markdown, named by this renderer."""
