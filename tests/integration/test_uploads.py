"""Uploads over the real pieces: SQL, a local media directory and Pillow (SPEC GEN-9)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from genmedia.adapters.imaging.pillow import PillowImageProcessor
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.adapters.storage.local import LocalDirectoryStorage
from genmedia.application.media.uploads import UploadMedia, upload_media
from genmedia.domain.errors import PayloadTooLarge, TooManyPixels, UnsupportedMedia
from genmedia.domain.media import Media, MediaKind
from genmedia.domain.uploads import UploadLimits
from tests.images import bomb_png, encode, picture, png_declaring
from tests.integration.sql.helpers import _owner

pytestmark = pytest.mark.integration

LIMITS = UploadLimits(max_bytes=4 * 1024 * 1024, max_pixels=20_000_000)


class Processor(PillowImageProcessor):
    """The real processor, noting each file it decoded."""

    def __init__(self) -> None:
        super().__init__()
        self.decoded = 0

    def describe_file(self, source):  # type: ignore[no-untyped-def]
        self.decoded += 1
        return super().describe_file(source)


@pytest.fixture
def user_id(engine: sa.Engine) -> int:
    return _owner(engine)[0]


@pytest.fixture
def storage(tmp_path: Path) -> LocalDirectoryStorage:
    return LocalDirectoryStorage(tmp_path / "media")


@pytest.fixture
def images() -> Processor:
    return Processor()


def chunks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for at in range(0, len(data), size):
        yield data[at : at + size]


def upload(
    engine: sa.Engine, storage: LocalDirectoryStorage, images: Processor, user_id: int, data: bytes
) -> Media:
    cmd = UploadMedia(user_id=user_id, filename="holiday.png", content=chunks(data))
    return upload_media(
        cmd, uow=SqlUnitOfWork(engine), storage=storage, images=images, limits=LIMITS
    )


def assert_nothing_stored(engine: sa.Engine, storage: LocalDirectoryStorage) -> None:
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM generation_media").scalar() == 0
    assert not storage.root.exists() or not any(storage.root.rglob("*"))


@pytest.mark.parametrize("pillow_format", ["PNG", "JPEG", "WEBP", "GIF"])
def test_an_upload_is_stored_and_measured_like_a_generated_image(
    engine: sa.Engine,
    storage: LocalDirectoryStorage,
    images: Processor,
    user_id: int,
    pillow_format: str,
) -> None:
    data = encode(picture((640, 480)), pillow_format)

    media = upload(engine, storage, images, user_id, data)

    with SqlUnitOfWork(engine) as uow:
        stored = uow.media.get(media.id or 0)
    assert stored.kind is MediaKind.UPLOADED
    assert stored.original_filename == "holiday.png"
    assert stored.info == images.describe(data)  # what a generated image would get
    assert storage.get(stored.storage_path) == data


def test_a_text_file_named_png_is_refused_and_nothing_is_stored(
    engine: sa.Engine, storage: LocalDirectoryStorage, images: Processor, user_id: int
) -> None:
    with pytest.raises(UnsupportedMedia):
        upload(engine, storage, images, user_id, b"not an image at all\n" * 100)

    assert_nothing_stored(engine, storage)


def test_a_damaged_image_is_refused_and_nothing_is_stored(
    engine: sa.Engine, storage: LocalDirectoryStorage, images: Processor, user_id: int
) -> None:
    data = encode(picture((256, 256)), "PNG")

    with pytest.raises(UnsupportedMedia):
        upload(engine, storage, images, user_id, data[: len(data) // 2])

    assert_nothing_stored(engine, storage)


@pytest.mark.parametrize(
    "bomb", [lambda: png_declaring(100_000, 100_000), lambda: bomb_png(20_000)]
)
def test_a_decompression_bomb_is_refused_undecoded_and_nothing_is_stored(
    engine: sa.Engine,
    storage: LocalDirectoryStorage,
    images: Processor,
    user_id: int,
    bomb: object,
) -> None:
    with pytest.raises(TooManyPixels) as refused:
        upload(engine, storage, images, user_id, bomb())  # type: ignore[operator]

    assert refused.value.field == "file"
    assert images.decoded == 0
    assert_nothing_stored(engine, storage)


def test_an_upload_over_the_limit_is_refused_and_nothing_is_stored(
    engine: sa.Engine, storage: LocalDirectoryStorage, images: Processor, user_id: int
) -> None:
    data = encode(picture((64, 64)), "PNG") + bytes(LIMITS.max_bytes)

    with pytest.raises(PayloadTooLarge):
        upload(engine, storage, images, user_id, data)

    assert_nothing_stored(engine, storage)
