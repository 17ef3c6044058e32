"""Content (SPEC CNT-1): articles, and the renderer of their Markdown."""

from __future__ import annotations

from dependency_injector import providers

from genmedia.adapters.markdown import SanitisingMarkdownRenderer
from genmedia.application.content import reading, writing
from genmedia.entrypoints.infrastructure import Infrastructure

uow = Infrastructure.uow
clock = Infrastructure.clock


class ContentServices(Infrastructure):
    """Reading published articles; admins writing and publishing them."""

    article_renderer = providers.ThreadSafeSingleton(SanitisingMarkdownRenderer)
    list_published_articles = providers.Callable(
        reading.list_published_articles, uow=uow, renderer=article_renderer
    )
    get_published_article = providers.Callable(
        reading.get_published_article, uow=uow, renderer=article_renderer
    )
    list_articles = providers.Callable(reading.list_articles, uow=uow, renderer=article_renderer)
    get_article = providers.Callable(reading.get_article, uow=uow, renderer=article_renderer)
    rerender_articles = providers.Callable(
        reading.rerender_articles, uow=uow, renderer=article_renderer
    )
    write_article = providers.Callable(
        writing.write_article, uow=uow, clock=clock, renderer=article_renderer
    )
    revise_article = providers.Callable(
        writing.revise_article, uow=uow, clock=clock, renderer=article_renderer
    )
    publish_article = providers.Callable(writing.publish_article, uow=uow, clock=clock)
    unpublish_article = providers.Callable(writing.unpublish_article, uow=uow, clock=clock)
    archive_article = providers.Callable(writing.archive_article, uow=uow, clock=clock)
    restore_article = providers.Callable(writing.restore_article, uow=uow, clock=clock)
    delete_article = providers.Callable(writing.delete_article, uow=uow, clock=clock)
