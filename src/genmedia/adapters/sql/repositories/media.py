"""Stored media in SQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import (
    SqlRepository,
    unique_or_already_exists,
    without_none,
)
from genmedia.adapters.sql.tables import generation_media
from genmedia.application.ports import MediaRepository
from genmedia.domain.errors import NotFound
from genmedia.domain.media import ImageInfo, Media

_media = generation_media

_MEDIA_FIELDS = (
    "user_id", "kind", "media_type", "storage_path", "request_id", "job_id", "output_index",
    "original_media_id", "original_filename", "duration", "tiny_preview_base64", "metadata",
    "download_count", "is_favorite", "created_at", "deleted_at",
)  # fmt: skip


def media_row(media: Media) -> dict[str, Any]:
    """The column values of a media, its image info spread over columns."""
    values = {name: getattr(media, name) for name in _MEDIA_FIELDS}
    info = media.info
    values.update(
        content_type=info.content_type,
        file_format=info.file_format,
        width=info.width,
        height=info.height,
        file_size=info.file_size,
        blurhash=info.blurhash,
    )
    return without_none(values, "created_at")


def media_from_row(row: sa.Row[Any]) -> Media:
    """The media a row holds."""
    values = {name: getattr(row, name) for name in _MEDIA_FIELDS}
    values["metadata"] = values["metadata"] or {}
    info = ImageInfo(
        file_format=row.file_format,
        width=row.width,
        height=row.height,
        file_size=row.file_size,
        blurhash=row.blurhash,
    )
    return Media(id=row.id, info=info, **values)


class SqlMediaRepository(SqlRepository, MediaRepository):
    """Stored media; one row per job output."""

    def add(self, media: Media) -> Media:
        """Insert a media row; AlreadyExists if the job output already has one."""
        statement = sa.insert(_media).values(media_row(media))
        statement = statement.returning(_media.c.id, _media.c.created_at)
        key = (media.job_id, media.output_index)
        with unique_or_already_exists(self._connection, "media", key):
            media.id, media.created_at = self._connection.execute(statement).one()
        return media

    def get(self, media_id: int) -> Media:
        """The media with this id, soft-deleted or not, or NotFound."""
        row = self._one(sa.select(_media).where(_media.c.id == media_id))
        if row is None:
            raise NotFound("media", media_id)
        return media_from_row(row)

    def list_for_request(self, request_id: int) -> list[Media]:
        """The live media a request produced, by job and output index."""
        query = sa.select(_media).where(
            _media.c.request_id == request_id, _media.c.deleted_at.is_(None)
        )
        order = (_media.c.job_id, _media.c.output_index, _media.c.id)
        return [media_from_row(row) for row in self._all(query.order_by(*order))]
