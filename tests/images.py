"""Image files for upload tests: real encodings, and PNG decompression bombs."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from PIL import Image, ImageDraw


def encode(image: Image.Image, file_format: str, **options: Any) -> bytes:
    """The image saved in a Pillow format."""
    buffer = io.BytesIO()
    image.save(buffer, file_format, **options)
    return buffer.getvalue()


def picture(size: tuple[int, int] = (120, 80), mode: str = "RGB") -> Image.Image:
    """A few coloured shapes, so that blurhashes differ from image to image."""
    image = Image.new("RGB", size, (30, 60, 200))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.ellipse((width * 0.1, height * 0.1, width * 0.6, height * 0.9), fill=(250, 200, 20))
    draw.rectangle((width * 0.7, 0, width, height * 0.5), fill=(200, 30, 40))
    return image.convert(mode)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data and CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int, height: int, pixels: bytes) -> bytes:
    """A 1-bit greyscale PNG with these (filtered, compressed) pixel rows."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", pixels)
        + png_chunk(b"IEND", b"")
    )


def bomb_png(side: int) -> bytes:
    """A whole, valid side×side black PNG: a few hundred kilobytes for 20,000 pixels a side,
    but side² bytes once decoded."""
    row = bytes(1 + (side + 7) // 8)  # filter byte, then the bits
    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    return _png(side, side, pixels)


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header announces width×height pixels, followed by only its first rows:
    a decompression bomb as far as anything reading the header can tell."""
    packer = zlib.compressobj(9)
    rows = packer.compress(bytes(1 + (width + 7) // 8) * 16) + packer.flush()
    return _png(width, height, rows)


def chunks_of(png: bytes) -> list[tuple[bytes, bytes]]:
    """The (type, data) of each chunk of a PNG file."""
    found, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        found.append((png[at + 4 : at + 8], png[at + 8 : at + 8 + length]))
        at += 12 + length
    return found


def with_one_idat(png: bytes) -> bytes:
    """The same PNG with all its pixel data in a single IDAT chunk."""
    chunks = chunks_of(png)
    pixels = b"".join(data for kind, data in chunks if kind == b"IDAT")
    head = [png_chunk(kind, data) for kind, data in chunks if kind not in (b"IDAT", b"IEND")]
    return png[:8] + b"".join(head) + png_chunk(b"IDAT", pixels) + png_chunk(b"IEND", b"")
