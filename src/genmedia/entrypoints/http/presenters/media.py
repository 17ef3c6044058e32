"""Bodies of the Media routes (API.md, Media)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from genmedia.application.media.library import LinkedMedia
from genmedia.domain.catalog import MediaCategory
from genmedia.domain.media import MediaKind


@attrs.frozen(kw_only=True)
class MediaView:
    """A stored image; `url` reads it for a limited time (a presigned or signed link);
    `tiny_preview_base64` is a webp of at most 32 px a side to show while it loads;
    `metadata` holds a generated photo's facts (its options, `referenceImageId` and
    `generationBatchId`, seed 003), by which `GET /v1/media` finds it."""

    id: int
    kind: MediaKind
    media_type: MediaCategory
    url: str
    blurhash: str
    tiny_preview_base64: str | None
    width: int
    height: int
    file_size: int
    file_format: str
    original_filename: str | None
    original_media_id: int | None
    request_id: int | None
    job_id: int | None
    is_favorite: bool
    download_count: int
    metadata: dict[str, Any]
    created_at: datetime | None


def media_view(linked: LinkedMedia) -> MediaView:
    """A media and its link as the API shows them."""
    media, info = linked.media, linked.media.info
    return MediaView(
        id=media.id or 0,
        kind=media.kind,
        media_type=media.media_type,
        url=linked.url,
        blurhash=info.blurhash,
        tiny_preview_base64=info.tiny_preview_base64,
        width=info.width,
        height=info.height,
        file_size=info.file_size,
        file_format=info.file_format,
        original_filename=media.original_filename,
        original_media_id=media.original_media_id,
        request_id=media.request_id,
        job_id=media.job_id,
        is_favorite=media.is_favorite,
        download_count=media.download_count,
        metadata=media.metadata,
        created_at=media.created_at,
    )
