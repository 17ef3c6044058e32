"""The images of an answer: base64 data URLs decoded here, plain URLs left for the downloader.

OpenRouter returns generated images as `data:image/png;base64,…` (providers.md §4.2); its
OpenAPI also allows a URL. A data URL must be base64, of an image type we store, at most
`max_bytes` once decoded, and its bytes must start as its media type says.
"""

from __future__ import annotations

import base64
import binascii

import httpx

from genmedia.application.errors import ProviderError
from genmedia.application.ports import ProviderOutput
from genmedia.domain.uploads import SNIFF_BYTES, sniff_format

MAX_IMAGE_BYTES = 32 * 1024 * 1024
_MEDIA_TYPES = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/webp": "webp",
    "image/gif": "gif",
}


def output_of(url: str, max_bytes: int = MAX_IMAGE_BYTES) -> ProviderOutput:
    """The output an image reference stands for: its bytes, or the URL to download."""
    if url[:5].lower() == "data:":
        return ProviderOutput(data=decode_data_url(url, max_bytes))
    try:
        scheme = httpx.URL(url).scheme
    except httpx.InvalidURL:
        scheme = ""
    if scheme in ("http", "https"):
        return ProviderOutput(url=url)
    raise _unusable("an image reference that is neither a data URL nor an http(s) URL")


def decode_data_url(url: str, max_bytes: int = MAX_IMAGE_BYTES) -> bytes:
    """The bytes of a base64 image data URL; invalid_output or result_too_large otherwise."""
    header, comma, payload = url[5:].partition(",")
    if not comma:
        raise _unusable("a data URL without data")
    media_type, *params = (part.strip().lower() for part in header.split(";"))
    if "base64" not in params:
        raise _unusable("a data URL that is not base64")
    file_format = _MEDIA_TYPES.get(media_type)
    if file_format is None:
        raise _unusable(f"an image of unsupported media type {media_type[:40]!r}")
    payload = "".join(payload.split())
    if len(payload) // 4 * 3 > max_bytes + 2:
        raise _too_large(max_bytes)
    data = _b64decode(payload)
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    found = sniff_format(data[:SNIFF_BYTES])
    if found != file_format:
        raise _unusable(f"a data URL that says {media_type} but holds {found or 'no image'}")
    return data


def _b64decode(payload: str) -> bytes:
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        failure = _unusable("a data URL whose data is not valid base64")
    raise failure  # outside the except block: no decoder error kept as its context


def _unusable(what: str) -> ProviderError:
    return ProviderError("invalid_output", f"OpenRouter returned {what}")


def _too_large(max_bytes: int) -> ProviderError:
    return ProviderError(
        "result_too_large", f"OpenRouter returned an image larger than {max_bytes} bytes"
    )
