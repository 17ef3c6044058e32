"""Uploads on fakes (SPEC GEN-9): streamed, judged by their bytes, bombs refused unopened."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from genmedia.application.media.uploads import Spool, UploadMedia, receive, upload_media
from genmedia.domain.errors import InvalidValue, PayloadTooLarge, TooManyPixels, UnsupportedMedia
from genmedia.domain.media import Media, MediaKind
from genmedia.domain.uploads import UploadLimits, clean_filename, sniff_format, upload_key
from genmedia.domain.user import User
from tests.fakes import FakeImageProcessor, FakeStorage, FakeUnitOfWork

PNG = b"\x89PNG\r\n\x1a\n"
LIMITS = UploadLimits(max_bytes=1000, max_pixels=10_000)


@pytest.fixture
def storage() -> FakeStorage:
    return FakeStorage()


@pytest.fixture
def images() -> FakeImageProcessor:
    return FakeImageProcessor()


class Chunks:
    """Content that counts how many of its chunks were read."""

    def __init__(self, data: bytes, size: int) -> None:
        self.parts = [data[i : i + size] for i in range(0, len(data), size)]
        self.read = 0

    def __iter__(self) -> Iterator[bytes]:
        for part in self.parts:
            self.read += 1
            yield part


def upload(
    uow: FakeUnitOfWork,
    storage: FakeStorage,
    images: FakeImageProcessor,
    user: User,
    content: Chunks | list[bytes],
    filename: str | None = "photo.png",
) -> Media:
    cmd = UploadMedia(user_id=user.id or 0, filename=filename, content=content)
    return upload_media(cmd, uow=uow, storage=storage, images=images, limits=LIMITS)


def assert_nothing_stored(uow: FakeUnitOfWork, storage: FakeStorage) -> None:
    assert storage.objects == {}
    assert uow.db.media == {}


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PNG + b"\0\0\0\x0d", "png"),
        (b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01", "jpeg"),
        (b"GIF87a\x01\0\x01\0\0\0", "gif"),
        (b"GIF89a\x01\0\x01\0\0\0", "gif"),
        (b"RIFF\x24\0\0\0WEBP", "webp"),
        (b"RIFF\x24\0\0\0WAVE", None),
        (b"BM\x36\0\0\0\0\0\0\0\x36\0", None),
        (b"hello, world", None),
        (b"", None),
    ],
)
def test_a_format_is_recognised_by_its_magic_number_alone(
    head: bytes, expected: str | None
) -> None:
    assert sniff_format(head) == expected


def test_an_upload_is_stored_whole_with_its_measurements_and_name(
    uow: FakeUnitOfWork, storage: FakeStorage, images: FakeImageProcessor, user: User
) -> None:
    data = PNG + b"IMG:png:40x30:" + b"x" * 300

    media = upload(uow, storage, images, user, Chunks(data, 7), "../../etc/holiday.png")

    stored = uow.db.media[media.id or 0]
    assert stored.kind is MediaKind.UPLOADED
    assert (stored.info.width, stored.info.height, stored.info.file_format) == (40, 30, "png")
    assert stored.info.file_size == len(data)
    assert stored.info.blurhash
    assert stored.original_filename == "holiday.png"
    assert stored.storage_path.startswith(f"uploads/u{user.id}/")
    assert storage.objects[stored.storage_path] == (data, "image/png")


def test_two_uploads_of_one_file_get_their_own_objects(
    uow: FakeUnitOfWork, storage: FakeStorage, images: FakeImageProcessor, user: User
) -> None:
    data = PNG + b"IMG:png:4x3:"
    upload(uow, storage, images, user, [data])
    upload(uow, storage, images, user, [data])

    assert len(storage.objects) == len(uow.db.media) == 2


def test_a_text_file_named_png_is_unsupported_media_and_nothing_is_stored(
    uow: FakeUnitOfWork, storage: FakeStorage, images: FakeImageProcessor, user: User
) -> None:
    with pytest.raises(UnsupportedMedia):
        upload(uow, storage, images, user, [b"just some text, not an image\n"], "cat.png")

    assert_nothing_stored(uow, storage)


def test_content_that_is_not_an_image_is_refused_at_its_first_chunk(
    uow: FakeUnitOfWork, storage: FakeStorage, images: FakeImageProcessor, user: User
) -> None:
    content = Chunks(b"%PDF-1.7 " * 100, 50)

    with pytest.raises(UnsupportedMedia):
        upload(uow, storage, images, user, content)

    assert content.read == 1
    assert_nothing_stored(uow, storage)


@pytest.mark.parametrize("data", [b"", b"GIF89a"])
def test_an_empty_or_cut_short_file_is_unsupported_media(
    uow: FakeUnitOfWork, storage: FakeStorage, images: FakeImageProcessor, user: User, data: bytes
) -> None:
    with pytest.raises(UnsupportedMedia):
        upload(uow, storage, images, user, [data])

    assert_nothing_stored(uow, storage)


def test_an_upload_over_the_limit_is_refused_while_it_streams(
    uow: FakeUnitOfWork, storage: FakeStorage, images: FakeImageProcessor, user: User
) -> None:
    content = Chunks(PNG + b"IMG:png:4x3:" + b"x" * 5000, 300)

    with pytest.raises(PayloadTooLarge) as refused:
        upload(uow, storage, images, user, content)

    assert refused.value.code == "payload_too_large"
    assert content.read == 4  # 1200 bytes: the fourth chunk crossed the limit
    assert_nothing_stored(uow, storage)


def test_an_upload_of_exactly_the_limit_is_accepted(
    uow: FakeUnitOfWork, storage: FakeStorage, images: FakeImageProcessor, user: User
) -> None:
    head = PNG + b"IMG:png:4x3:"
    upload(uow, storage, images, user, Chunks(head + b"x" * (1000 - len(head)), 100))

    assert len(uow.db.media) == 1


def test_a_decompression_bomb_is_refused_from_its_header_without_decoding(
    uow: FakeUnitOfWork, storage: FakeStorage, images: FakeImageProcessor, user: User
) -> None:
    with pytest.raises(TooManyPixels) as refused:
        upload(uow, storage, images, user, [PNG + b"IMG:png:100000x100000:"])

    assert refused.value.field == "file"
    assert "100000×100000" in refused.value.message
    assert images.decoded == []
    assert_nothing_stored(uow, storage)


def test_an_image_of_exactly_the_pixel_limit_is_decoded(
    uow: FakeUnitOfWork, storage: FakeStorage, images: FakeImageProcessor, user: User
) -> None:
    upload(uow, storage, images, user, [PNG + b"IMG:png:100x100:"])

    assert images.decoded == [(100, 100)]


class FailingCommit(FakeUnitOfWork):
    def commit(self) -> None:
        raise RuntimeError("the database went away")


def test_an_upload_whose_row_cannot_be_written_leaves_no_object(
    uow: FakeUnitOfWork, storage: FakeStorage, images: FakeImageProcessor, user: User
) -> None:
    failing = FailingCommit(uow.db)

    with pytest.raises(RuntimeError):
        upload(failing, storage, images, user, [PNG + b"IMG:png:4x3:"])

    assert_nothing_stored(uow, storage)


def test_a_spool_receives_chunks_that_arrive_asynchronously() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for part in (PNG, b"IMG:png:", b"4x3:"):
            yield part

    with Spool(LIMITS) as spool:
        asyncio.run(receive(spool, chunks()))
        assert (spool.finish(), spool.size) == ("png", 20)
        assert spool.file.read() == PNG + b"IMG:png:4x3:"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("photo.png", "photo.png"),
        ("C:\\Users\\ann\\photo.jpg", "photo.jpg"),
        ("../../etc/passwd", "passwd"),
        ("bad\x00name\n.gif", "badname.gif"),
        ("  ", None),
        ("dir/", None),
        (None, None),
        ("é" * 300, "é" * 255),
    ],
)
def test_only_the_base_name_of_a_filename_is_kept(given: str | None, kept: str | None) -> None:
    assert clean_filename(given) == kept


def test_an_upload_key_is_in_the_users_folder_with_the_formats_extension() -> None:
    assert upload_key(7, "abc", "jpeg") == "uploads/u7/abc.jpg"
    with pytest.raises(InvalidValue):
        upload_key(7, "abc", "bmp")


def test_upload_limits_must_be_positive() -> None:
    with pytest.raises(InvalidValue):
        UploadLimits(max_bytes=0)
    with pytest.raises(InvalidValue):
        UploadLimits(max_pixels=-1)
