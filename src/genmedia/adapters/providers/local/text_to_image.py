"""Text-to-image: a scene of gradient sky, glows, hills, shapes and stars from a palette."""

from __future__ import annotations

import itertools
import random

from PIL import Image, ImageDraw, ImageFilter

from genmedia.adapters.providers.local.colours import RGB, jitter, mix
from genmedia.adapters.providers.local.effects import circle_box, glow, soft_blobs
from genmedia.adapters.providers.local.palette import words

_STARRY = {"night", "stars", "starry", "midnight", "space", "galaxy"}


def mentions_stars(prompt: str, negative_prompt: str) -> bool:
    """Whether the prompt asks for a starry sky that the negative prompt does not forbid."""
    return bool((words(prompt) - words(negative_prompt)) & _STARRY)


def scene(
    size: tuple[int, int], palette: list[RGB], rng: random.Random, starry: bool
) -> Image.Image:
    """A fresh picture drawn from the palette; stars if `starry`, now and then otherwise."""
    image = _background(size, palette, rng)
    soft_blobs(image, palette, rng, alpha=(90, 170))
    if rng.random() < 0.65:
        _ridges(image, palette, rng)
    _shapes(image, palette, rng)
    if starry or rng.random() < 0.15:
        _stars(image, rng)
    return image


def _background(size: tuple[int, int], palette: list[RGB], rng: random.Random) -> Image.Image:
    """A smooth gradient: a tiny grid of palette colours, light at the top, blown up."""
    grid = Image.new("RGB", (3, 3))
    light, dark = palette[2:], palette[:3]
    for y in range(3):
        for x in range(3):
            pool = light if y == 0 else dark if y == 2 else palette[1:4]
            grid.putpixel((x, y), jitter(rng.choice(pool), rng))
    small = grid.resize((max(2, size[0] // 16), max(2, size[1] // 16)), Image.Resampling.BICUBIC)
    return small.resize(size, Image.Resampling.BILINEAR)


def _ridges(image: Image.Image, palette: list[RGB], rng: random.Random) -> None:
    """Layered hills, far ones hazy and soft, near ones dark and sharp."""
    width, height = image.size
    haze = palette[3]
    count = rng.randint(2, 4)
    for index in range(count):
        depth = (index + 1) / count
        base = height * (0.45 + 0.4 * depth * rng.uniform(0.8, 1.0))
        points = _ridge_line(width, base, height * 0.18 * (1.1 - depth * 0.5), rng)
        colour = mix(palette[0], haze, 0.75 * (1 - depth))
        mask = Image.new("L", image.size, 0)
        ImageDraw.Draw(mask).polygon([*points, (width, height), (0, height)], fill=255)
        blur = ImageFilter.GaussianBlur(1.8 * (1 - depth) + 0.6)
        image.paste(colour, (0, 0, width, height), mask.filter(blur))


def _ridge_line(
    width: int, base: float, amplitude: float, rng: random.Random
) -> list[tuple[float, float]]:
    """A jagged skyline by midpoint displacement."""
    heights = [rng.uniform(-1, 1), rng.uniform(-1, 1)]
    roughness = rng.uniform(0.45, 0.65)
    scale = 1.0
    while len(heights) < 65:
        scale *= roughness
        refined = []
        for left, right in itertools.pairwise(heights):
            refined += [left, (left + right) / 2 + rng.uniform(-scale, scale)]
        heights = [*refined, heights[-1]]
    step = width / (len(heights) - 1)
    return [(i * step, base + value * amplitude) for i, value in enumerate(heights)]


def _shapes(image: Image.Image, palette: list[RGB], rng: random.Random) -> None:
    """A sun or moon with a glow, then translucent circles, polygons and lines."""
    draw = ImageDraw.Draw(image, "RGBA")
    if rng.random() < 0.7:
        _sun(image, draw, palette, rng)
    for _ in range(rng.randint(3, 9)):
        _shape(image.size, draw, rng.choice(palette), rng)


def _sun(
    image: Image.Image, draw: ImageDraw.ImageDraw, palette: list[RGB], rng: random.Random
) -> None:
    """A bright disc in the upper part of the sky, inside a soft halo."""
    width, height = image.size
    side = min(width, height)
    radius = side * rng.uniform(0.06, 0.14)
    cx, cy = width * rng.uniform(0.15, 0.85), height * rng.uniform(0.12, 0.4)
    glow(image, [(circle_box(cx, cy, 2.2 * radius), (*palette[4], 110))], blur=radius / side * 0.8)
    sun = mix(palette[4], (255, 250, 235), 0.5)
    draw.ellipse(circle_box(cx, cy, radius), fill=(*sun, 235))


def _shape(
    size: tuple[int, int], draw: ImageDraw.ImageDraw, colour: RGB, rng: random.Random
) -> None:
    """One translucent ring, polygon or line at a random place."""
    width, height = size
    side = min(width, height)
    alpha = rng.randint(40, 130)
    cx, cy = rng.uniform(0, width), rng.uniform(0, height)
    radius = side * rng.uniform(0.03, 0.16)
    kind = rng.random()
    if kind < 0.4:
        outline = (*colour, alpha + 60)
        draw.ellipse(circle_box(cx, cy, radius), outline=outline, width=max(1, round(side / 160)))
    elif kind < 0.8:
        sides = rng.randint(3, 6)
        draw.regular_polygon(
            (cx, cy, radius), sides, rotation=rng.uniform(0, 360), fill=(*colour, alpha)
        )
    else:
        end = (cx + rng.uniform(-0.5, 0.5) * width, cy + rng.uniform(-0.3, 0.3) * height)
        draw.line((cx, cy, *end), fill=(*colour, alpha), width=max(1, round(side / 200)))


def _stars(image: Image.Image, rng: random.Random) -> None:
    """Small bright dots in the upper part of the picture."""
    width, height = image.size
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(round(width * height / 2500)):
        x, y = rng.uniform(0, width), height * 0.6 * rng.random() ** 1.5
        radius = rng.choice((0.5, 0.8, 1.2, 1.8)) * max(1.0, min(width, height) / 512)
        draw.ellipse(circle_box(x, y, radius), fill=(255, 255, 245, 180))
