"""ImageProcessor on Pillow: the format from the content, dimensions, a blurhash and a
tiny webp preview."""

from __future__ import annotations

import base64
import io
import os
import warnings
from collections.abc import Callable
from typing import IO

from PIL import GifImagePlugin, Image, ImageFile, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

from genmedia.adapters.imaging.encoder import encode_rgb
from genmedia.adapters.imaging.png_chunks import SegmentView, check_png_chunks
from genmedia.application.errors import UnsupportedMedia
from genmedia.application.ports import ImageProcessor
from genmedia.domain.media import TINY_PREVIEW_SIZE, ImageInfo
from genmedia.domain.uploads import SNIFF_BYTES, ImageHeader, require_format, sniff_format

# Pillow format names of the accepted formats; MPO is a camera JPEG with extra frames.
_FORMATS = {"PNG": "png", "JPEG": "jpeg", "MPO": "jpeg", "WEBP": "webp", "GIF": "gif"}
_PLUGINS = ["PNG", "JPEG", "WEBP", "GIF"]
_ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}
_RESIZABLE_MODES = {"RGB", "RGBA", "L", "LA"}
_WHITE = (255, 255, 255, 255)
# The plugin of each accepted format, called directly to read a header: Image.open would
# also apply Pillow's own pixel limit, before the caller can judge the size itself.
_HEADER_READERS: dict[str, Callable[[IO[bytes]], ImageFile.ImageFile]] = {
    "png": PngImagePlugin.PngImageFile,
    "jpeg": JpegImagePlugin.jpeg_factory,
    "gif": GifImagePlugin.GifImageFile,
    "webp": WebPImagePlugin.WebPImageFile,
}


class PillowImageProcessor(ImageProcessor):
    """Measures png, jpeg, webp and gif images. One small copy (at most TINY_PREVIEW_SIZE
    pixels a side) is decoded: it is the tiny preview, and, reduced to `hash_size`, what
    the blurhash is computed from."""

    def __init__(
        self, *, components_x: int = 4, components_y: int = 3, hash_size: int = 16
    ) -> None:
        if not (1 <= components_x <= 9 and 1 <= components_y <= 9):
            raise ValueError("blurhash components must be between 1 and 9")
        if hash_size < 1:
            raise ValueError("hash_size must be positive")
        self._components_x = components_x
        self._components_y = components_y
        self._hash_size = hash_size

    def describe(self, data: bytes) -> ImageInfo:
        """Measure an image; UnsupportedMedia unless it is a whole png, jpeg, webp or gif."""
        return self._measure(io.BytesIO(data), len(data), lambda: _verify(data))

    def read_header(self, source: IO[bytes]) -> ImageHeader:
        """The format and dimensions the header announces; no pixel is decoded."""
        source.seek(0)
        reader = _HEADER_READERS[require_format(source.read(SNIFF_BYTES))]
        source.seek(0)
        try:
            with reader(source) as image:
                width, height = image.size
                file_format = _FORMATS.get(image.format or "")
        except Exception as exc:
            raise UnsupportedMedia("not a png, jpeg, webp or gif image") from exc
        if file_format is None:
            raise UnsupportedMedia(f"unsupported image format {image.format!r}")
        return ImageHeader(file_format=file_format, width=width, height=height)

    def describe_file(self, source: IO[bytes]) -> ImageInfo:
        """Measure an image file, decoding its first frame (a JPEG at a reduced scale); a
        PNG's chunks are checked to its end first, a block at a time, and only those that
        draw the image are read into memory."""
        size = source.seek(0, os.SEEK_END)
        return self._measure(_decodable(source), size, lambda: None)

    def _measure(self, source: IO[bytes], file_size: int, verify: Callable[[], None]) -> ImageInfo:
        image, file_format = _open(source)
        with image:
            verify()
            width, height = image.size
            # Inside the block: the small image may be the decoded image itself.
            small = _decode_small(image, max(TINY_PREVIEW_SIZE, self._hash_size))
            blurhash = self._blurhash(_shrink(small, self._hash_size))
            preview = _webp_base64(small)
        return ImageInfo(
            file_format=file_format,
            width=width,
            height=height,
            file_size=file_size,
            blurhash=blurhash,
            tiny_preview_base64=preview,
        )

    def _blurhash(self, image: Image.Image) -> str:
        width, height = image.size
        return encode_rgb(image.tobytes(), width, height, self._components_x, self._components_y)


def _open(source: IO[bytes]) -> tuple[Image.Image, str]:
    """Open the file lazily, reading only the header, and name its format."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(source, formats=_PLUGINS)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise UnsupportedMedia(f"image is too large to decode safely: {exc}") from exc
    except Exception as exc:
        raise UnsupportedMedia("not a png, jpeg, webp or gif image") from exc
    limit = Image.MAX_IMAGE_PIXELS
    # Checked again: warning filters are process-wide, so another thread may have reset them.
    if limit is not None and image.width * image.height > limit:
        image.close()
        raise UnsupportedMedia(f"image is too large to decode safely: over {limit} pixels")
    file_format = _FORMATS.get(image.format or "")
    if file_format is None:
        image.close()
        raise UnsupportedMedia(f"unsupported image format {image.format!r}")
    return image, file_format


def _decodable(source: IO[bytes]) -> IO[bytes]:
    """The file as Pillow should read it: a PNG checked and reduced to its drawing chunks."""
    source.seek(0)
    if sniff_format(source.read(SNIFF_BYTES)) != "png":
        source.seek(0)
        return source
    return io.BufferedReader(SegmentView(source, check_png_chunks(source)))


def _verify(data: bytes) -> None:
    """Check the file's structure to its end (for PNG: every chunk's CRC, up to IEND)."""
    try:
        with Image.open(io.BytesIO(data), formats=_PLUGINS) as image:
            image.verify()
    except Exception as exc:
        raise UnsupportedMedia(f"image data is truncated or damaged: {exc}") from exc


def _decode_small(image: Image.Image, size: int) -> Image.Image:
    """Decode the first frame whole and shrink it (bilinear, through a box reduction for
    large factors) to an RGB image fitting size×size."""
    try:
        # JPEG can decode straight at a reduced scale; the header size is already read.
        image.draft("RGB", (size, size))
        image.load()
        if image.mode not in _RESIZABLE_MODES:
            has_alpha = image.mode in _ALPHA_MODES or "transparency" in image.info
            image = image.convert("RGBA" if has_alpha else "RGB")
        fitted = _fit(image.size, size)
        if fitted != image.size:
            image = image.resize(fitted, Image.Resampling.BILINEAR, reducing_gap=2.0)
    except Exception as exc:
        # Pillow raises many exception types for damaged data; all mean the same here.
        raise UnsupportedMedia(f"image data is truncated or damaged: {exc}") from exc
    return _over_white(image)


def _shrink(image: Image.Image, size: int) -> Image.Image:
    """The image scaled down (bilinear), keeping its ratio, to fit size×size."""
    fitted = _fit(image.size, size)
    return image if fitted == image.size else image.resize(fitted, Image.Resampling.BILINEAR)


def _webp_base64(image: Image.Image) -> str:
    """The image as a small lossy webp, base64-encoded (method 0: the encoder's setup is
    most of its cost at this size, and the slower methods save nothing here)."""
    out = io.BytesIO()
    image.save(out, "WEBP", quality=40, method=0)
    return base64.b64encode(out.getvalue()).decode("ascii")


def _fit(dimensions: tuple[int, int], size: int) -> tuple[int, int]:
    """The dimensions scaled down, keeping their ratio, to fit size×size (never below 1)."""
    width, height = dimensions
    scale = min(size / width, size / height)
    if scale >= 1:
        return dimensions
    return max(1, round(width * scale)), max(1, round(height * scale))


def _over_white(image: Image.Image) -> Image.Image:
    """The image as RGB, any transparency composited over white."""
    if image.mode == "RGB":
        return image
    if image.mode not in _ALPHA_MODES:
        return image.convert("RGB")
    background = Image.new("RGBA", image.size, _WHITE)
    return Image.alpha_composite(background, image.convert("RGBA")).convert("RGB")
