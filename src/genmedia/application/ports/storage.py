"""Ports of stored objects and of image reading."""

from __future__ import annotations

import abc
from typing import IO

from genmedia.domain.media import ImageInfo
from genmedia.domain.uploads import ImageHeader


class ObjectStorage(abc.ABC):
    """A bucket of stored objects addressed by key."""

    @abc.abstractmethod
    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store bytes under a key, replacing what was there."""

    @abc.abstractmethod
    def put_file(self, key: str, source: IO[bytes], content_type: str) -> None:
        """Store what `source` holds from its start, read in chunks, never whole in memory."""

    @abc.abstractmethod
    def get(self, key: str) -> bytes:
        """The bytes stored under a key, or NotFound."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; removing a missing object is not an error."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool:
        """Whether an object is stored under the key."""

    @abc.abstractmethod
    def url(self, key: str, expires_in: int) -> str:
        """A URL that reads the object for `expires_in` seconds."""


class ImageProcessor(abc.ABC):
    """Reads images: format, dimensions and blurhash."""

    @abc.abstractmethod
    def describe(self, data: bytes) -> ImageInfo:
        """Measure an image; UnsupportedMedia unless it is a png, jpeg, webp or gif."""

    @abc.abstractmethod
    def read_header(self, source: IO[bytes]) -> ImageHeader:
        """The format and dimensions the header of the file announces, no pixel decoded;
        UnsupportedMedia unless it is a png, jpeg, webp or gif."""

    @abc.abstractmethod
    def describe_file(self, source: IO[bytes]) -> ImageInfo:
        """Measure an image file, decoding no more than a reduced copy where the format
        allows it; UnsupportedMedia if it is not a whole png, jpeg, webp or gif."""
