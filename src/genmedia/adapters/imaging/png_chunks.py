"""A streaming check of a PNG file's structure, and a view of it with only what decodes.

Pillow reads every chunk it meets whole into memory, and keeps unknown ones: a valid PNG
carrying a 50 MiB private or text chunk would cost twice that to measure. The view keeps
the chunks that draw the image and leaves the rest on disk.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import IO

from genmedia.application.errors import UnsupportedMedia

BLOCK = 64 * 1024
SIGNATURE_BYTES = 8
# The chunks that decide the first frame's pixels: structure, palette, transparency, data.
DRAWING = frozenset({b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"})

Segment = tuple[int, int]


def check_png_chunks(source: IO[bytes]) -> list[Segment]:
    """Walk the chunks after the signature to IEND, checking each CRC, reading a block at a
    time; UnsupportedMedia if one is damaged or the file ends early. Answers the segments
    (offset, size) of the signature and of each drawing chunk."""
    source.seek(SIGNATURE_BYTES)
    segments = [(0, SIGNATURE_BYTES)]
    while True:
        start = source.tell()
        length, chunk_type = struct.unpack(">I4s", _read_exactly(source, 8))
        crc, left = zlib.crc32(chunk_type), length
        while left:
            block = _read_exactly(source, min(left, BLOCK))
            crc = zlib.crc32(block, crc)
            left -= len(block)
        if struct.unpack(">I", _read_exactly(source, 4))[0] != crc:
            raise UnsupportedMedia(f"image data is damaged: bad CRC in a {chunk_type!r} chunk")
        if chunk_type in DRAWING:
            segments.append((start, length + 12))
        if chunk_type == b"IEND":
            return segments


class SegmentView(io.RawIOBase):
    """A read-only file made of the given segments of `source`, one after the other."""

    def __init__(self, source: IO[bytes], segments: list[Segment]) -> None:
        self._source, self._segments = source, segments
        self._size, self._position = sum(size for _, size in segments), 0

    def readable(self) -> bool:
        """Always: the view is for reading."""
        return True

    def seekable(self) -> bool:
        """Always: Pillow seeks back and forth."""
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move within the view, as a file does."""
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        """The position within the view."""
        return self._position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Fill `buffer` from the segment under the position (a short read at its end)."""
        skipped = 0
        for offset, size in self._segments:
            if self._position < skipped + size:
                inside = self._position - skipped
                self._source.seek(offset + inside)
                data = self._source.read(min(len(buffer), size - inside))
                buffer[: len(data)] = data
                self._position += len(data)
                return len(data)
            skipped += size
        return 0


def _read_exactly(source: IO[bytes], size: int) -> bytes:
    data = source.read(size)
    if len(data) < size:
        raise UnsupportedMedia("image data is truncated")
    return data
