"""Fakes of storage, image reading and the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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


class FakeStorage(ObjectStorage):
    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.objects[key] = (data, content_type)

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
    """Reads a fake image: b"IMG:<format>:<w>x<h>:<anything>"."""

    def describe(self, data: bytes) -> ImageInfo:
        parts = data.split(b":")
        if len(parts) < 3 or parts[0] != b"IMG":
            raise UnsupportedMedia("not an image")
        width, height = (int(v) for v in parts[2].split(b"x"))
        return ImageInfo(
            file_format=parts[1].decode(),
            width=width,
            height=height,
            file_size=len(data),
            blurhash="LKO2?U%2Tw=w",
        )


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

    def peek(self, key: str) -> Count:
        return Count(self.hits.get(key, 0), 60.0)

    def clear(self, key: str) -> None:
        self.hits.pop(key, None)
