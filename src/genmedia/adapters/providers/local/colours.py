"""RGB colour arithmetic: hex codes, HLS conversion, jitter and mixing."""

from __future__ import annotations

import colorsys
import random

RGB = tuple[int, int, int]


def from_hex(code: str) -> RGB:
    """The colour of a "#rrggbb" code."""
    return (int(code[1:3], 16), int(code[3:5], 16), int(code[5:7], 16))


def from_hls(hue: float, lightness: float, saturation: float) -> RGB:
    """The colour with these HLS coordinates, each in 0..1."""
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, saturation)
    return (round(red * 255), round(green * 255), round(blue * 255))


def jitter(colour: RGB, rng: random.Random) -> RGB:
    """The colour with its hue and lightness nudged a little at random."""
    hue, lightness, saturation = colorsys.rgb_to_hls(*(channel / 255 for channel in colour))
    return from_hls(
        (hue + rng.uniform(-0.025, 0.025)) % 1.0,
        min(1.0, max(0.0, lightness + rng.uniform(-0.04, 0.04))),
        saturation,
    )


def mix(one: RGB, two: RGB, t: float) -> RGB:
    """The colour `t` of the way from `one` to `two`."""
    return (
        round(one[0] + (two[0] - one[0]) * t),
        round(one[1] + (two[1] - one[1]) * t),
        round(one[2] + (two[2] - one[2]) * t),
    )
