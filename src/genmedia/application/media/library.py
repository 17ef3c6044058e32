"""A user's media library: list, show, favorite and download (SPEC GEN-8).

Every media is shown with a time-limited URL. Another user's media, or a deleted one, is
NotFound, never forbidden: its existence is not told.
"""

from __future__ import annotations

import attrs

from genmedia.application.ports import ObjectStorage, UnitOfWork
from genmedia.domain.errors import InvalidValue, NotFound
from genmedia.domain.media import Media, MediaKind
from genmedia.domain.photos import PhotoQuery

MAX_PAGE = 100


@attrs.frozen
class LinkedMedia:
    """A media and a URL that reads its object for a while."""

    media: Media
    url: str


@attrs.frozen
class MediaPage:
    """One page of media, newest first; `next_after` continues after it (None: the end)."""

    items: list[LinkedMedia]
    next_after: int | None


@attrs.frozen(kw_only=True)
class ListMedia:
    """Which of a user's media to list: by kind, favorite flag and photo facts, `limit` of
    them, those older than the media `after` names (keyset pagination, stable under inserts)."""

    user_id: int
    kind: MediaKind | None = None
    favorite: bool | None = None
    photos: PhotoQuery = attrs.field(factory=PhotoQuery)
    after: int | None = None
    limit: int = 20

    def __attrs_post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE:
            raise InvalidValue("limit", f"must be between 1 and {MAX_PAGE}")


def list_media(
    query: ListMedia, *, uow: UnitOfWork, storage: ObjectStorage, url_expiry: int
) -> MediaPage:
    """A page of the user's live media, newest first, each with its URL."""
    with uow:
        found = uow.media.list_for_user(
            query.user_id,
            limit=query.limit + 1,
            after=query.after,
            kind=query.kind,
            favorite=query.favorite,
            facts=query.photos.facts() or None,
        )
    page = found[: query.limit]
    next_after = page[-1].id if len(found) > query.limit else None
    return MediaPage([_linked(m, storage, url_expiry) for m in page], next_after)


def get_media(
    media_id: int, user_id: int, *, uow: UnitOfWork, storage: ObjectStorage, url_expiry: int
) -> LinkedMedia:
    """One of the user's live media with its URL; NotFound otherwise."""
    with uow:
        media = uow.media.get(media_id)
    if not media.is_visible_to(user_id):
        raise NotFound("media", media_id)
    return _linked(media, storage, url_expiry)


def set_favorite(media_id: int, user_id: int, favorite: bool, *, uow: UnitOfWork) -> None:
    """Mark (or unmark) one of the user's live media as a favorite; NotFound otherwise."""
    with uow:
        if not uow.media.set_favorite(media_id, user_id, favorite):
            raise NotFound("media", media_id)
        uow.commit()


def media_content(
    media_id: int, user_id: int, *, uow: UnitOfWork, storage: ObjectStorage, url_expiry: int
) -> str:
    """Count one download of the user's live media and give a URL that reads it."""
    with uow:
        path = uow.media.count_download(media_id, user_id)
        if path is None:
            raise NotFound("media", media_id)
        uow.commit()
    return storage.url(path, url_expiry)


def link_media(media: Media, *, storage: ObjectStorage, url_expiry: int) -> LinkedMedia:
    """The media with a URL that reads it for `url_expiry` seconds."""
    return LinkedMedia(media, storage.url(media.storage_path, url_expiry))


def _linked(media: Media, storage: ObjectStorage, url_expiry: int) -> LinkedMedia:
    return link_media(media, storage=storage, url_expiry=url_expiry)
