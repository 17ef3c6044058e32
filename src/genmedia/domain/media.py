"""Media: every stored image, uploaded, generated or edited (SPEC GEN-8)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.catalog import MediaCategory
from genmedia.domain.errors import InvalidValue
from genmedia.domain.stored import Stored

IMAGE_FORMATS = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp", "gif": "image/gif"}


class MediaKind(enum.StrEnum):
    """Where a media came from."""

    UPLOADED = "uploaded"
    GENERATED = "generated"
    EDITED = "edited"


TINY_PREVIEW_SIZE = 32
# A 32×32 webp is a few hundred bytes; this bounds what a store must keep per media.
MAX_TINY_PREVIEW_CHARS = 4096


@attrs.frozen(kw_only=True)
class ImageInfo:
    """What was measured on a stored image: format, size, dimensions, blurhash and a tiny
    preview (a base64 webp at most TINY_PREVIEW_SIZE pixels a side), shown while it loads."""

    file_format: str
    width: int
    height: int
    file_size: int
    blurhash: str
    tiny_preview_base64: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.file_format not in IMAGE_FORMATS:
            raise InvalidValue("file_format", f"unsupported image format {self.file_format!r}")
        if self.width <= 0 or self.height <= 0 or self.file_size <= 0:
            raise InvalidValue("file", "image is empty")
        if not self.blurhash:
            raise InvalidValue("blurhash", "is required")
        preview = self.tiny_preview_base64
        if preview is not None and not 0 < len(preview) <= MAX_TINY_PREVIEW_CHARS:
            raise InvalidValue(
                "tiny_preview_base64", f"must be 1 to {MAX_TINY_PREVIEW_CHARS} characters"
            )

    @property
    def content_type(self) -> str:
        """The MIME type of the format."""
        return IMAGE_FORMATS[self.file_format]


def output_key(user_id: int, request_id: int, job_id: int, index: int, file_format: str) -> str:
    """The deterministic storage key of one job output; a request's outputs share a folder."""
    ext = "jpg" if file_format == "jpeg" else file_format
    return f"generated/u{user_id}/r{request_id}/j{job_id}-{index}.{ext}"


@attrs.define(slots=False, eq=False, kw_only=True)
class Media(Stored):
    """A stored media object and what is known about it."""

    id: int | None = None
    user_id: int
    kind: MediaKind
    media_type: MediaCategory = MediaCategory.IMAGE
    storage_path: str
    info: ImageInfo
    request_id: int | None = None
    job_id: int | None = None
    output_index: int | None = None
    original_media_id: int | None = None
    original_filename: str | None = None
    duration: int | None = None
    metadata: dict[str, Any] = attrs.field(factory=dict)
    download_count: int = 0
    is_favorite: bool = False
    created_at: datetime | None = None
    deleted_at: datetime | None = None
    purged_at: datetime | None = None

    @classmethod
    def generated(
        cls,
        *,
        user_id: int,
        request_id: int,
        job_id: int,
        output_index: int,
        storage_path: str,
        info: ImageInfo,
        original_media_id: int | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Media:
        """A job's output; an output made from another media is an edit of it."""
        return cls(
            user_id=user_id,
            kind=MediaKind.EDITED if original_media_id else MediaKind.GENERATED,
            storage_path=storage_path,
            info=info,
            request_id=request_id,
            job_id=job_id,
            output_index=output_index,
            original_media_id=original_media_id,
            metadata=metadata or {},
        )

    @classmethod
    def uploaded(
        cls, *, user_id: int, storage_path: str, info: ImageInfo, original_filename: str | None
    ) -> Media:
        """An image a user uploaded, measured like a generated one."""
        return cls(
            user_id=user_id,
            kind=MediaKind.UPLOADED,
            storage_path=storage_path,
            info=info,
            original_filename=original_filename,
        )

    def is_visible_to(self, user_id: int) -> bool:
        """Whether the user may see this media: their own, and not deleted."""
        return self.user_id == user_id and not self.is_deleted

    @property
    def is_deleted(self) -> bool:
        """Whether the media was soft-deleted."""
        return self.deleted_at is not None

    @property
    def is_purged(self) -> bool:
        """Whether the stored object of this deleted media was removed for good."""
        return self.purged_at is not None
