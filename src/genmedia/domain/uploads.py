"""Uploads (SPEC GEN-9): what may be uploaded, judged by the bytes and not by the name."""

from __future__ import annotations

import unicodedata

import attrs

from genmedia.domain.errors import InvalidValue, PayloadTooLarge, TooManyPixels, UnsupportedMedia
from genmedia.domain.media import IMAGE_FORMATS

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# A header may announce any size; decoding is refused beyond this many pixels.
MAX_UPLOAD_PIXELS = 40_000_000
# How many leading bytes `sniff_format` needs to recognise every accepted format.
SNIFF_BYTES = 12
MAX_FILENAME = 255

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)


@attrs.frozen(kw_only=True)
class UploadLimits:
    """How large an upload may be: its bytes as sent, its pixels once decoded."""

    max_bytes: int = MAX_UPLOAD_BYTES
    max_pixels: int = MAX_UPLOAD_PIXELS

    def __attrs_post_init__(self) -> None:
        if self.max_bytes < 1 or self.max_pixels < 1:
            raise InvalidValue("limits", "upload limits must be positive")

    def check_size(self, received: int) -> None:
        """PayloadTooLarge once more than `max_bytes` have arrived."""
        if received > self.max_bytes:
            raise PayloadTooLarge(self.max_bytes)

    def check_pixels(self, header: ImageHeader) -> None:
        """TooManyPixels if the image would decode to more than `max_pixels` pixels."""
        if header.width * header.height > self.max_pixels:
            raise TooManyPixels(header.width, header.height, self.max_pixels)


@attrs.frozen(kw_only=True)
class ImageHeader:
    """What an image's header announces, read before any pixel is decoded."""

    file_format: str
    width: int
    height: int


def sniff_format(head: bytes) -> str | None:
    """The accepted format whose magic number starts `head` (SNIFF_BYTES long), or None."""
    for signature, file_format in _SIGNATURES:
        if head.startswith(signature):
            return file_format
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def require_format(head: bytes) -> str:
    """The format `head` starts with; UnsupportedMedia unless it is an accepted one."""
    file_format = sniff_format(head)
    if file_format is None:
        raise UnsupportedMedia("the file is not a jpeg, png, gif or webp image")
    return file_format


def upload_key(user_id: int, token: str, file_format: str) -> str:
    """The storage key of an upload: the user's folder, a random token, the extension."""
    if file_format not in IMAGE_FORMATS:
        raise InvalidValue("file_format", f"unsupported image format {file_format!r}")
    ext = "jpg" if file_format == "jpeg" else file_format
    return f"uploads/u{user_id}/{token}.{ext}"


def clean_filename(name: str | None) -> str | None:
    """The name a client gave its file, without folders or control characters, at most
    MAX_FILENAME characters; None if nothing is left."""
    if not name:
        return None
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return kept[:MAX_FILENAME] or None
