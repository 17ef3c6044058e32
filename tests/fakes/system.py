"""Fakes of storage, image reading and the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import IO

from genmedia.application.errors import UnsupportedMedia
from genmedia.application.ports import (
    Clock,
    Count,
    Counters,
    ImageProcessor,
    ObjectStorage,
)
from genmedia.domain.errors import (
    NotFound,
)
from genmedia.domain.media import ImageInfo
from genmedia.domain.uploads import ImageHeader


class FakeStorage(ObjectStorage):
    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.objects[key] = (data, content_type)

    def put_file(self, key: str, source: IO[bytes], content_type: str) -> None:
        source.seek(0)
        self.put(key, source.read(), content_type)

    def get(self, key: str) -> bytes:
        if key not in self.objects:
            raise NotFound("object", key)
        return self.objects[key][0]

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def exists(self, key: str) -> bool:
        return key in self.objects

    def url(self, key: str, expires_in: int) -> str:
        return f"fake://{key}?expires_in={expires_in}"


class FakeImageProcessor(ImageProcessor):
    """Reads a fake image: b"IMG:<format>:<w>x<h>:<anything>", after any leading bytes (a
    magic number). `decoded` lists the sizes of the images it decoded."""

    def __init__(self) -> None:
        self.decoded: list[tuple[int, int]] = []

    def describe(self, data: bytes) -> ImageInfo:
        header = self._header(data)
        self.decoded.append((header.width, header.height))
        return ImageInfo(
            file_format=header.file_format,
            width=header.width,
            height=header.height,
            file_size=len(data),
            blurhash="LKO2?U%2Tw=w",
        )

    def read_header(self, source: IO[bytes]) -> ImageHeader:
        source.seek(0)
        return self._header(source.read())

    def describe_file(self, source: IO[bytes]) -> ImageInfo:
        source.seek(0)
        return self.describe(source.read())

    @staticmethod
    def _header(data: bytes) -> ImageHeader:
        parts = data[data.find(b"IMG:") :].split(b":")
        if len(parts) < 3 or parts[0] != b"IMG":
            raise UnsupportedMedia("not an image")
        width, height = (int(v) for v in parts[2].split(b"x"))
        return ImageHeader(file_format=parts[1].decode(), width=width, height=height)


class FakeClock(Clock):
    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


class FakeCounters(Counters):
    """Counts hits per key; a window never ends unless `clear`ed."""

    def __init__(self) -> None:
        self.hits: dict[str, int] = {}

    def hit(self, key: str, window: float) -> Count:
        self.hits[key] = self.hits.get(key, 0) + 1
        return Count(self.hits[key], window)

    async def hit_from_loop(self, key: str, window: float) -> Count:
        return self.hit(key, window)

    def peek(self, key: str) -> Count:
        return Count(self.hits.get(key, 0), 60.0)

    def clear(self, key: str) -> None:
        self.hits.pop(key, None)
