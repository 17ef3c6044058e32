"""Image-to-image: read the input picture and restyle it toward the palette."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageFilter, ImageOps

from genmedia.adapters.providers.local.colours import RGB, mix
from genmedia.adapters.providers.local.effects import soft_blobs
from genmedia.application.errors import ProviderError


def decode(data: bytes, size: tuple[int, int]) -> Image.Image:
    """The input image upright, over white, cropped to fill `size`."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            upright = ImageOps.exif_transpose(opened)
            upright.load()
    except Exception as exc:
        # Pillow raises many exception types for damaged data; all mean the same here.
        raise ProviderError("invalid_input", f"the input image cannot be read: {exc}") from exc
    if upright.mode in ("RGBA", "LA", "PA", "P"):
        rgba = upright.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        upright = Image.alpha_composite(white, rgba)
    return ImageOps.fit(upright.convert("RGB"), size, Image.Resampling.BICUBIC)


def transform(
    source: Image.Image, palette: list[RGB], rng: random.Random, strength: float
) -> Image.Image:
    """Recolour toward the palette, posterize, outline edges and add glows, by strength."""
    gray = ImageOps.grayscale(source)
    toned = ImageOps.colorize(gray, black=palette[0], white=palette[4], mid=palette[2])
    image = Image.blend(source, toned, strength)
    image = ImageOps.posterize(image, 8 - round(strength * 4))
    edges = gray.filter(ImageFilter.FIND_EDGES).point(lambda v: min(255, round(v * 2 * strength)))
    # The filter sees an edge all along the border; keep only the picture's own edges.
    edges = ImageOps.expand(ImageOps.crop(edges, 1), 1, fill=0)
    image.paste(mix(palette[4], (255, 255, 255), 0.3), (0, 0, *image.size), edges)
    low, high = round(40 * strength), round(120 * strength)
    soft_blobs(image, palette, rng, alpha=(low, max(low, high)))
    return image
