"""Uploads (SPEC GEN-9): the content is streamed to a spool file, checked, measured, stored.

The content is never held whole in memory: it is counted as it arrives and refused past
the limit, and its format is judged by its first bytes. Once whole, the image's header is
read for its dimensions before any pixel is decoded, so a decompression bomb is refused
unopened; only then is it measured (a reduced copy gives the blurhash) and stored.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import AsyncIterable, Iterable
from types import TracebackType
from typing import IO, Self

import attrs

from genmedia.application.ports import ImageProcessor, ObjectStorage, UnitOfWork
from genmedia.domain.media import ImageInfo, Media
from genmedia.domain.uploads import (
    SNIFF_BYTES,
    UploadLimits,
    clean_filename,
    require_format,
    upload_key,
)

# A spool stays in memory up to this size, then moves to a temporary file.
SPOOL_IN_MEMORY = 1024 * 1024


@attrs.frozen(kw_only=True)
class UploadMedia:
    """A user uploads a file: the name the client gave it and its content, in chunks."""

    user_id: int
    filename: str | None
    content: Iterable[bytes]


class Spool:
    """An upload as it arrives: counted against the limit, its format recognised from its
    first bytes, written to a temporary file (in memory while under SPOOL_IN_MEMORY)."""

    def __init__(self, limits: UploadLimits, *, in_memory: int = SPOOL_IN_MEMORY) -> None:
        self.limits = limits
        self.size = 0
        self.file_format: str | None = None
        self._head = b""
        # Closed by `close`: the spool lives across several calls (see `receive`).
        self.file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=in_memory)  # noqa: SIM115

    def write(self, chunk: bytes) -> None:
        """Take the next chunk: PayloadTooLarge past the limit, UnsupportedMedia as soon as
        the first bytes are not those of an accepted format."""
        self.size += len(chunk)
        self.limits.check_size(self.size)
        if self.file_format is None:
            self._head += chunk[: SNIFF_BYTES - len(self._head)]
            if len(self._head) == SNIFF_BYTES:
                self.file_format = require_format(self._head)
        self.file.write(chunk)

    def finish(self) -> str:
        """The format of the whole upload, once every chunk arrived; the file is rewound."""
        if self.file_format is None:
            self.file_format = require_format(self._head)
        self.file.seek(0)
        return self.file_format

    def close(self) -> None:
        """Drop the spooled content."""
        self.file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


async def receive(spool: Spool, chunks: AsyncIterable[bytes]) -> None:
    """Write chunks that arrive asynchronously into the spool (see `Spool.write`)."""
    async for chunk in chunks:
        spool.write(chunk)


def upload_media(
    cmd: UploadMedia,
    *,
    uow: UnitOfWork,
    storage: ObjectStorage,
    images: ImageProcessor,
    limits: UploadLimits,
) -> Media:
    """Receive, check, measure and store an upload; nothing is kept if it is refused."""
    with Spool(limits) as spool:
        for chunk in cmd.content:
            spool.write(chunk)
        return store_upload(
            spool, cmd.user_id, cmd.filename, uow=uow, storage=storage, images=images
        )


def store_upload(
    spool: Spool,
    user_id: int,
    filename: str | None,
    *,
    uow: UnitOfWork,
    storage: ObjectStorage,
    images: ImageProcessor,
) -> Media:
    """Check and measure a received upload, then store its object and its media row."""
    info = _measure(spool, images)
    key = upload_key(user_id, secrets.token_hex(16), info.file_format)
    spool.file.seek(0)
    storage.put_file(key, spool.file, info.content_type)
    media = Media.uploaded(
        user_id=user_id, storage_path=key, info=info, original_filename=clean_filename(filename)
    )
    try:
        with uow:
            uow.media.add(media)
            uow.commit()
    except BaseException:
        storage.delete(key)
        raise
    return media


def _measure(spool: Spool, images: ImageProcessor) -> ImageInfo:
    """The upload's image info; its pixel count is checked from the header before decoding."""
    spool.finish()
    spool.limits.check_pixels(images.read_header(spool.file))
    spool.file.seek(0)
    return images.describe_file(spool.file)
