"""PillowImageProcessor on real image bytes."""

from __future__ import annotations

import base64
import io
import struct
import tracemalloc

import attrs
import blurhash
import pytest
from PIL import Image

from genmedia.adapters.imaging.pillow import PillowImageProcessor
from genmedia.adapters.imaging.png_chunks import BLOCK
from genmedia.application.errors import UnsupportedMedia
from genmedia.domain.uploads import ImageHeader
from tests.images import (
    bomb_png,
    chunks_of,
    encode,
    picture,
    png_chunk,
    png_declaring,
    with_one_idat,
)

FORMATS = [("PNG", "png"), ("JPEG", "jpeg"), ("WEBP", "webp"), ("GIF", "gif")]


@pytest.fixture
def processor() -> PillowImageProcessor:
    return PillowImageProcessor()


@pytest.mark.parametrize(
    ("pillow_format", "expected"),
    [("PNG", "png"), ("JPEG", "jpeg"), ("WEBP", "webp"), ("GIF", "gif")],
)
def test_describe_reads_the_format_from_the_content_with_size_and_dimensions(
    processor: PillowImageProcessor, pillow_format: str, expected: str
) -> None:
    data = encode(picture((120, 80)), pillow_format)

    info = processor.describe(data)

    assert info.file_format == expected
    assert (info.width, info.height) == (120, 80)
    assert info.file_size == len(data)


def test_the_blurhash_decodes_and_has_the_configured_components(
    processor: PillowImageProcessor,
) -> None:
    info = processor.describe(encode(picture(), "PNG"))

    assert blurhash.components(info.blurhash) == (4, 3)
    pixels = blurhash.decode(info.blurhash, 8, 6)
    assert len(pixels) == 6
    assert len(pixels[0]) == 8


def test_an_image_within_the_hash_size_is_hashed_from_its_own_pixels(
    processor: PillowImageProcessor,
) -> None:
    image = picture((12, 9))
    rows = [[list(image.getpixel((x, y))) for x in range(12)] for y in range(9)]
    assert processor.describe(encode(image, "PNG")).blurhash == blurhash.encode(rows, 4, 3)


def test_a_large_image_is_hashed_from_a_copy_that_keeps_its_shape(
    processor: PillowImageProcessor,
) -> None:
    wide = picture((640, 160))
    preview = wide.resize((32, 8), Image.Resampling.BILINEAR, reducing_gap=2.0)
    small = preview.resize((16, 4), Image.Resampling.BILINEAR)
    rows = [[list(small.getpixel((x, y))) for x in range(16)] for y in range(4)]
    assert processor.describe(encode(wide, "PNG")).blurhash == blurhash.encode(rows, 4, 3)


def test_the_tiny_preview_is_a_webp_of_at_most_32_pixels_a_side_in_the_image_s_shape(
    processor: PillowImageProcessor,
) -> None:
    wide = Image.new("RGB", (640, 160), (200, 40, 90))
    info = processor.describe(encode(wide, "PNG"))
    assert info.tiny_preview_base64 is not None
    with Image.open(io.BytesIO(base64.b64decode(info.tiny_preview_base64))) as preview:
        assert (preview.format, preview.size) == ("WEBP", (32, 8))
        red, green, blue = preview.convert("RGB").getpixel((16, 4))
    assert abs(red - 200) + abs(green - 40) + abs(blue - 90) < 30


def test_an_image_smaller_than_the_preview_keeps_its_own_size_in_the_preview(
    processor: PillowImageProcessor,
) -> None:
    info = processor.describe(encode(picture((12, 9)), "PNG"))
    assert info.tiny_preview_base64 is not None
    with Image.open(io.BytesIO(base64.b64decode(info.tiny_preview_base64))) as preview:
        assert preview.size == (12, 9)


def test_the_component_counts_can_be_chosen() -> None:
    processor = PillowImageProcessor(components_x=5, components_y=6, hash_size=16)

    info = processor.describe(encode(picture(), "PNG"))

    assert blurhash.components(info.blurhash) == (5, 6)


def test_the_same_image_gives_the_same_blurhash(processor: PillowImageProcessor) -> None:
    data = encode(picture(), "PNG")

    assert processor.describe(data).blurhash == processor.describe(data).blurhash


def test_different_images_give_different_blurhashes(processor: PillowImageProcessor) -> None:
    first = processor.describe(encode(picture(), "PNG"))
    second = processor.describe(encode(picture().rotate(180), "PNG"))

    assert first.blurhash != second.blurhash


@pytest.mark.parametrize("mode", ["RGBA", "P", "L", "LA", "1"])
def test_png_in_any_colour_mode_is_described(processor: PillowImageProcessor, mode: str) -> None:
    info = processor.describe(encode(picture(mode=mode), "PNG"))

    assert (info.file_format, info.width, info.height) == ("png", 120, 80)


def test_a_cmyk_jpeg_is_described(processor: PillowImageProcessor) -> None:
    info = processor.describe(encode(picture(mode="CMYK"), "JPEG"))

    assert (info.file_format, info.width, info.height) == ("jpeg", 120, 80)


def test_transparency_is_composited_over_white(processor: PillowImageProcessor) -> None:
    clear = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    white = Image.new("RGB", (64, 64), (255, 255, 255))

    assert (
        processor.describe(encode(clear, "PNG")).blurhash
        == processor.describe(encode(white, "PNG")).blurhash
    )


def test_an_animated_gif_is_hashed_from_its_first_frame(processor: PillowImageProcessor) -> None:
    red, blue = Image.new("RGB", (64, 48), (255, 0, 0)), Image.new("RGB", (64, 48), (0, 0, 255))
    animated = encode(red, "GIF", save_all=True, append_images=[blue], duration=100)

    info = processor.describe(animated)

    assert info.file_format == "gif"
    assert info.blurhash == processor.describe(encode(red, "PNG")).blurhash
    assert info.blurhash != processor.describe(encode(blue, "PNG")).blurhash


def test_a_big_image_is_still_hashed(processor: PillowImageProcessor) -> None:
    big = picture((2048, 2048))

    info = processor.describe(encode(big, "PNG"))

    assert (info.width, info.height) == (2048, 2048)
    assert blurhash.components(info.blurhash) == (4, 3)


def test_a_text_file_is_unsupported(processor: PillowImageProcessor) -> None:
    with pytest.raises(UnsupportedMedia):
        processor.describe(b"just some text, not an image\n")


def test_empty_bytes_are_unsupported(processor: PillowImageProcessor) -> None:
    with pytest.raises(UnsupportedMedia):
        processor.describe(b"")


@pytest.mark.parametrize("cut", [0.5, 0.9, 0.99])
def test_a_truncated_png_is_unsupported(processor: PillowImageProcessor, cut: float) -> None:
    data = encode(picture((256, 256)), "PNG")

    with pytest.raises(UnsupportedMedia):
        processor.describe(data[: int(len(data) * cut)])


def test_a_png_missing_its_end_chunk_is_unsupported(processor: PillowImageProcessor) -> None:
    data = encode(picture(), "PNG")

    with pytest.raises(UnsupportedMedia):
        processor.describe(data[:-12])


@pytest.mark.parametrize("pillow_format", ["BMP", "TIFF"])
def test_other_image_formats_are_unsupported(
    processor: PillowImageProcessor, pillow_format: str
) -> None:
    with pytest.raises(UnsupportedMedia):
        processor.describe(encode(picture(), pillow_format))


def test_an_image_over_the_pixel_limit_is_refused_as_a_bomb(
    processor: PillowImageProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = encode(picture((120, 80)), "PNG")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 5000)

    with pytest.raises(UnsupportedMedia, match="too large"):
        processor.describe(data)


@pytest.mark.parametrize(
    "options",
    [{"components_x": 0}, {"components_y": 10}, {"hash_size": 0}],
)
def test_out_of_range_settings_are_refused(options: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="must be"):
        PillowImageProcessor(**options)


# -- files: reading a header alone, and measuring a spooled upload ----------------------


@pytest.mark.parametrize(("pillow_format", "expected"), FORMATS)
def test_a_header_gives_the_format_and_dimensions(
    processor: PillowImageProcessor, pillow_format: str, expected: str
) -> None:
    source = io.BytesIO(encode(picture((120, 80)), pillow_format))

    assert processor.read_header(source) == ImageHeader(file_format=expected, width=120, height=80)


@pytest.mark.parametrize("side", [100_000, 1_000_000])
def test_a_bombs_header_is_read_past_pillows_own_limit(
    processor: PillowImageProcessor, side: int
) -> None:
    header = processor.read_header(io.BytesIO(png_declaring(side, side)))

    assert (header.width, header.height) == (side, side)


def test_a_whole_bomb_is_read_from_its_header(processor: PillowImageProcessor) -> None:
    data = bomb_png(20_000)
    assert len(data) < 1024 * 1024

    assert processor.read_header(io.BytesIO(data)).width == 20_000


@pytest.mark.parametrize(
    "data", [b"", b"just some text\n", encode(picture(), "BMP"), b"\x89PNG\r\n\x1a\n" + b"x" * 40]
)
def test_a_header_that_is_not_an_accepted_image_is_unsupported(
    processor: PillowImageProcessor, data: bytes
) -> None:
    with pytest.raises(UnsupportedMedia):
        processor.read_header(io.BytesIO(data))


@pytest.mark.parametrize(("pillow_format", "expected"), FORMATS)
def test_a_file_is_measured_as_its_bytes_are(
    processor: PillowImageProcessor, pillow_format: str, expected: str
) -> None:
    data = encode(picture((300, 200)), pillow_format)
    source = io.BytesIO(data)
    source.seek(17)  # anywhere: the file is read from its start

    assert processor.describe_file(source) == processor.describe(data)


def test_a_large_jpeg_file_is_hashed_like_its_bytes(processor: PillowImageProcessor) -> None:
    data = encode(picture((4000, 3000)), "JPEG", quality=90)

    info = processor.describe_file(io.BytesIO(data))

    assert (info.width, info.height, info.file_size) == (4000, 3000, len(data))
    assert info.blurhash == processor.describe(data).blurhash


def _with_damaged_crc(data: bytes, chunk: bytes) -> bytes:
    at = data.index(chunk) + 4
    (length,) = struct.unpack(">I", data[at - 8 : at - 4])
    end = at + length
    return data[:end] + bytes([data[end] ^ 0xFF]) + data[end + 1 :]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: data[:-12],  # no IEND
        lambda data: data[:-1],
        lambda data: _with_damaged_crc(data, b"IDAT"),
        lambda data: _with_damaged_crc(data, b"IEND"),
    ],
)
def test_a_png_file_cut_short_or_damaged_is_unsupported(
    processor: PillowImageProcessor, damage: object
) -> None:
    data = damage(encode(picture((256, 256)), "PNG"))  # type: ignore[operator]

    with pytest.raises(UnsupportedMedia):
        processor.describe_file(io.BytesIO(data))


def test_a_png_checked_in_blocks_may_have_chunks_larger_than_a_block(
    processor: PillowImageProcessor,
) -> None:
    data = with_one_idat(encode(picture((600, 600)).effect_spread(5), "PNG", compress_level=0))
    assert max(len(payload) for kind, payload in chunks_of(data) if kind == b"IDAT") > 4 * BLOCK

    assert processor.describe_file(io.BytesIO(data)) == processor.describe(data)


def test_a_truncated_jpeg_file_is_unsupported(processor: PillowImageProcessor) -> None:
    data = encode(picture((400, 300)), "JPEG")

    with pytest.raises(UnsupportedMedia):
        processor.describe_file(io.BytesIO(data[: len(data) // 2]))


def _with_chunks_around_the_data(data: bytes, kind: bytes, size: int) -> bytes:
    """The PNG with a `kind` chunk of `size` bytes before its first IDAT and after its last."""
    padding = png_chunk(kind, b"x" * size)
    first, end = data.index(b"IDAT") - 4, len(data) - 12
    return data[:first] + padding + data[first:end] + padding + data[end:]


@pytest.mark.parametrize("kind", [b"prVt", b"tEXt", b"zTXt", b"eXIf"])
def test_a_png_s_large_extra_chunks_are_checked_but_never_read_into_memory(
    processor: PillowImageProcessor, kind: bytes
) -> None:
    plain = encode(picture((300, 200)), "PNG")
    padded = _with_chunks_around_the_data(plain, kind, 8 * 1024 * 1024)

    tracemalloc.start()
    try:
        info = processor.describe_file(io.BytesIO(padded))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 4 * 1024 * 1024  # two 8 MiB chunks, each read whole, would be 16 MiB
    assert info == attrs.evolve(processor.describe(plain), file_size=len(padded))


def test_a_damaged_extra_chunk_still_makes_a_png_unsupported(
    processor: PillowImageProcessor,
) -> None:
    padded = _with_chunks_around_the_data(encode(picture((64, 64)), "PNG"), b"prVt", 1000)

    with pytest.raises(UnsupportedMedia):
        processor.describe_file(io.BytesIO(_with_damaged_crc(padded, b"prVt")))
