"""Articles (SPEC CNT-1; seed 004): Markdown written by admins and published to everyone.

The lifecycle (seed 004: DRAFT → PUBLISHED/ARCHIVED), one method per act:

    draft ──publish──▶ published ──archive──▶ archived
      ▲ ◀──unpublish──────┘                      │
      └──────────────────restore─────────────────┘
    draft ──archive──▶ archived

Only a published article is shown to the public. `publication_date` is set the first time
the article is published and kept after (an article taken back to draft and published again
keeps its date); `last_modified` moves with every change.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.errors import FieldError, IllegalTransition, InvalidValue, raise_collected
from genmedia.domain.slug import check_slug
from genmedia.domain.stored import Stored
from genmedia.domain.text import has_control_characters, single_line
from genmedia.domain.user import User

MAX_TITLE = 200
MAX_CONTENT = 100_000


class ArticleStatus(enum.StrEnum):
    """draft → published → archived (see the module docstring)."""

    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


@attrs.frozen
class Rendering:
    """An article's content as sanitised HTML, and the renderer (name and version) that made
    it: HTML made by another renderer is made again before it is shown."""

    html: str
    renderer: str


def _status(value: Any) -> ArticleStatus:
    try:
        return ArticleStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in ArticleStatus)
        raise InvalidValue("status", f"must be one of {allowed}") from None


def check_title(value: str) -> str:
    """The title on one line, or InvalidValue naming `title`."""
    return single_line("title", value, MAX_TITLE)


def check_content(value: str) -> str:
    """The Markdown, or InvalidValue naming `content` if too long or with control characters."""
    if len(value) > MAX_CONTENT:
        raise InvalidValue("content", f"must have at most {MAX_CONTENT} characters")
    if has_control_characters(value):
        raise InvalidValue("content", "must not contain control characters")
    return value


def check_fields(
    *, title: str | None = None, slug: str | None = None, content: str | None = None
) -> None:
    """Raise every field error of these values at once (None is not checked)."""
    errors: list[FieldError] = []
    for value, check in ((title, check_title), (slug, check_slug), (content, check_content)):
        if value is None:
            continue
        try:
            check(value)
        except FieldError as error:
            errors.append(error)
    raise_collected(errors)


@attrs.define(slots=False, eq=False, kw_only=True)
class Article(Stored):
    """A Markdown article by an admin; its HTML is rendered when its content changes."""

    id: int | None = None
    title: str = attrs.field(converter=check_title)
    slug: str = attrs.field(converter=check_slug)
    content: str = attrs.field(converter=check_content)
    rendering: Rendering
    author_id: int
    status: ArticleStatus = attrs.field(default=ArticleStatus.DRAFT, converter=_status)
    publication_date: datetime | None = None
    last_modified: datetime
    created_at: datetime | None = None

    @classmethod
    def written_by(
        cls,
        author: User,
        *,
        title: str,
        slug: str,
        content: str,
        rendering: Rendering,
        now: datetime,
    ) -> Article:
        """A new draft by `author`, who must be an admin (seed 004)."""
        if not author.is_admin:
            raise InvalidValue("author_id", "an article's author must be an admin")
        return cls(
            title=title,
            slug=slug,
            content=content,
            rendering=rendering,
            author_id=author.id or 0,
            last_modified=now,
        )

    @property
    def is_public(self) -> bool:
        """Whether everyone may read it: only once published, and until archived."""
        return self.status is ArticleStatus.PUBLISHED

    def revise(
        self,
        now: datetime,
        *,
        title: str | None = None,
        slug: str | None = None,
        content: tuple[str, Rendering] | None = None,
    ) -> bool:
        """Change the title, the slug or the content (with its new rendering), in any status;
        whether anything changed (only then does `last_modified` move)."""
        before = (self.title, self.slug, self.content)
        if title is not None:
            self.title = check_title(title)
        if slug is not None:
            self.slug = check_slug(slug)
        if content is not None and content[0] != self.content:
            markdown, rendering = content
            if self.is_public:
                _check_publishable(markdown)
            self.content, self.rendering = check_content(markdown), rendering
        changed = (self.title, self.slug, self.content) != before
        if changed:
            self.last_modified = now
        return changed

    def rerender(self, rendering: Rendering) -> None:
        """Take HTML made again by a newer renderer; the content and `last_modified` stay."""
        self.rendering = rendering

    def publish(self, now: datetime) -> None:
        """Show a draft to everyone; the first publication dates it."""
        _check_publishable(self.content)
        self._move(ArticleStatus.PUBLISHED, now, ArticleStatus.DRAFT)
        self.publication_date = self.publication_date or now

    def unpublish(self, now: datetime) -> None:
        """Take a published article back to draft, to be reworked."""
        self._move(ArticleStatus.DRAFT, now, ArticleStatus.PUBLISHED)

    def archive(self, now: datetime) -> None:
        """Withdraw a draft or a published article, keeping it."""
        self._move(ArticleStatus.ARCHIVED, now, ArticleStatus.DRAFT, ArticleStatus.PUBLISHED)

    def restore(self, now: datetime) -> None:
        """Bring an archived article back as a draft."""
        self._move(ArticleStatus.DRAFT, now, ArticleStatus.ARCHIVED)

    def _move(self, target: ArticleStatus, now: datetime, *allowed: ArticleStatus) -> None:
        if self.status not in allowed:
            raise IllegalTransition("article", self.status.value, target.value)
        self.status = target
        self.last_modified = now


def _check_publishable(content: str) -> None:
    if not content.strip():
        raise InvalidValue("content", "a published article needs content")
