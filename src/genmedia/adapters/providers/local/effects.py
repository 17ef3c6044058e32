"""Effects shared by both modes: blurred glows, soft colour blobs and a vignette."""

from __future__ import annotations

import random
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFilter

from genmedia.adapters.providers.local.colours import RGB

Box = tuple[float, float, float, float]
RGBA = tuple[int, int, int, int]


def circle_box(cx: float, cy: float, radius: float) -> Box:
    """The bounding box of a circle."""
    return (cx - radius, cy - radius, cx + radius, cy + radius)


def glow(image: Image.Image, ellipses: Sequence[tuple[Box, RGBA]], blur: float) -> None:
    """Blend blurred ellipses onto the image; drawn and blurred at a quarter of the size."""
    small = (max(4, image.width // 4), max(4, image.height // 4))
    layer = Image.new("RGBA", small, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for box, fill in ellipses:
        draw.ellipse(tuple(value / 4 for value in box), fill=fill)
    # Premultiplied, so the clear pixels around an ellipse blur in no dark fringe.
    layer = layer.convert("RGBa").filter(ImageFilter.GaussianBlur(min(small) * blur))
    layer = layer.convert("RGBA").resize(image.size, Image.Resampling.BILINEAR)
    image.paste(layer.convert("RGB"), (0, 0), layer.getchannel("A"))


def soft_blobs(
    image: Image.Image, palette: list[RGB], rng: random.Random, alpha: tuple[int, int]
) -> None:
    """Big blurred patches of palette colours."""
    width, height = image.size
    blobs = []
    for _ in range(rng.randint(3, 7)):
        radius = rng.uniform(0.12, 0.4) * min(width, height)
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        box = (cx - radius, cy - radius * rng.uniform(0.6, 1.4), cx + radius, cy + radius)
        blobs.append((box, (*rng.choice(palette[1:]), rng.randint(*alpha))))
    glow(image, blobs, blur=0.1)


def vignette(image: Image.Image, strength: float) -> Image.Image:
    """Darken the corners a little."""
    mask = Image.radial_gradient("L").resize(image.size, Image.Resampling.BILINEAR)
    mask = mask.point(lambda v: round(max(0, v - 110) * strength * 1.4))
    return Image.composite(Image.new("RGB", image.size), image, mask)
