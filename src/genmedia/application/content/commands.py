"""What an admin asks of articles."""

from __future__ import annotations

import attrs


@attrs.frozen(kw_only=True)
class WriteArticle:
    """A new draft by the admin `actor_id`; its slug is made from the title when absent."""

    actor_id: int
    title: str
    content: str = ""
    slug: str | None = None


@attrs.frozen(kw_only=True)
class ReviseArticle:
    """Changes to an article's title, slug or content; None leaves a field as it is."""

    actor_id: int
    article_id: int
    title: str | None = None
    slug: str | None = None
    content: str | None = None
