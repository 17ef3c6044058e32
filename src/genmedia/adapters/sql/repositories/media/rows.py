"""Rows of media: `media_row` to write, `media_from_row` to read."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import (
    without_none,
)
from genmedia.domain.media import ImageInfo, Media

_MEDIA_FIELDS = (
    "user_id", "kind", "media_type", "storage_path", "request_id", "job_id", "output_index",
    "original_media_id", "original_filename", "duration", "metadata",
    "download_count", "is_favorite", "created_at", "deleted_at", "purged_at",
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
        tiny_preview_base64=info.tiny_preview_base64,
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
        tiny_preview_base64=row.tiny_preview_base64,
    )
    return Media(id=row.id, info=info, **values)
