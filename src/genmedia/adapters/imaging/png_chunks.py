"""A streaming check of a PNG file's structure: every chunk's CRC, up to IEND."""

from __future__ import annotations

import struct
import zlib
from typing import IO

from genmedia.application.errors import UnsupportedMedia

BLOCK = 64 * 1024
_SIGNATURE_BYTES = 8


def check_png_chunks(source: IO[bytes]) -> None:
    """Walk the chunks after the signature to IEND, checking each CRC, reading a block at a
    time (Pillow's own check reads each chunk whole); UnsupportedMedia if one is damaged or
    the file ends early."""
    source.seek(_SIGNATURE_BYTES)
    while True:
        head = _read_exactly(source, 8)
        length, chunk_type = struct.unpack(">I4s", head)
        crc = zlib.crc32(chunk_type)
        while length:
            block = _read_exactly(source, min(length, BLOCK))
            crc = zlib.crc32(block, crc)
            length -= len(block)
        if struct.unpack(">I", _read_exactly(source, 4))[0] != crc:
            raise UnsupportedMedia(f"image data is damaged: bad CRC in a {chunk_type!r} chunk")
        if chunk_type == b"IEND":
            return


def _read_exactly(source: IO[bytes], size: int) -> bytes:
    data = source.read(size)
    if len(data) < size:
        raise UnsupportedMedia("image data is truncated")
    return data
