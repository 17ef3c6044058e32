"""PillowImageProcessor on real image bytes."""

from __future__ import annotations

import io
from typing import Any

import blurhash
import pytest
from PIL import Image, ImageDraw

from genmedia.adapters.imaging.pillow import PillowImageProcessor
from genmedia.application.errors import UnsupportedMedia


def encode(image: Image.Image, file_format: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, file_format, **options)
    return buffer.getvalue()


def picture(size: tuple[int, int] = (120, 80), mode: str = "RGB") -> Image.Image:
    image = Image.new("RGB", size, (30, 60, 200))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.ellipse((width * 0.1, height * 0.1, width * 0.6, height * 0.9), fill=(250, 200, 20))
    draw.rectangle((width * 0.7, 0, width, height * 0.5), fill=(200, 30, 40))
    return image.convert(mode)


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
    small = wide.resize((16, 4), Image.Resampling.BILINEAR, reducing_gap=2.0)
    rows = [[list(small.getpixel((x, y))) for x in range(16)] for y in range(4)]
    assert processor.describe(encode(wide, "PNG")).blurhash == blurhash.encode(rows, 4, 3)


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
