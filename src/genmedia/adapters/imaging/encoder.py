"""A fast blurhash encoder: the public BlurHash algorithm, computed separably with tables.

The reference encoders compute every component as a double sum over all pixels, calling
pow() per pixel. Here sRGB→linear is a 256-entry table, the cosines are tabulated once per
size, and each component is a sum over rows of per-row sums, which makes it several times
faster in pure Python. The output matches the `blurhash` package's (tests compare them).
"""

from __future__ import annotations

import functools
import math
from operator import mul

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"


def _to_linear(value: int) -> float:
    v = value / 255.0
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


LINEAR = tuple(_to_linear(v) for v in range(256))


def _to_srgb(value: float) -> int:
    v = max(0.0, min(1.0, value))
    if v <= 0.0031308:
        return int(v * 12.92 * 255 + 0.5)
    return int((1.055 * math.pow(v, 1 / 2.4) - 0.055) * 255 + 0.5)


def _base83(value: int, length: int) -> str:
    return "".join(ALPHABET[value // 83 ** (length - i) % 83] for i in range(1, length + 1))


@functools.cache
def _cosines(components: int, size: int) -> tuple[tuple[float, ...], ...]:
    return tuple(
        tuple(math.cos(math.pi * c * p / size) for p in range(size)) for c in range(components)
    )


def _quantise(value: float, scale: float) -> int:
    signed = math.copysign(math.sqrt(abs(value / scale)), value)
    return int(max(0.0, min(18.0, math.floor(signed * 9.0 + 9.5))))


def encode_rgb(
    rgb: bytes, width: int, height: int, components_x: int = 4, components_y: int = 3
) -> str:
    """The blurhash of packed 8-bit RGB pixels (row by row), with the given component counts."""
    cos_x, cos_y = _cosines(components_x, width), _cosines(components_y, height)
    row_sums: list[list[tuple[float, float, float]]] = []
    for y in range(height):
        start = y * width * 3
        reds = [LINEAR[v] for v in rgb[start : start + width * 3 : 3]]
        greens = [LINEAR[v] for v in rgb[start + 1 : start + width * 3 : 3]]
        blues = [LINEAR[v] for v in rgb[start + 2 : start + width * 3 : 3]]
        row_sums.append([
            (sum(map(mul, cos, reds)), sum(map(mul, cos, greens)), sum(map(mul, cos, blues)))
            for cos in cos_x
        ])  # fmt: skip
    scale = 1.0 / (width * height)
    factors = []
    for j in range(components_y):
        for i in range(components_x):
            norm = scale if i == 0 and j == 0 else 2.0 * scale
            column = [row[i] for row in row_sums]
            factors.append(
                tuple(
                    norm * sum(map(mul, cos_y[j], [sums[k] for sums in column])) for k in range(3)
                )
            )
    dc, ac = factors[0], factors[1:]
    largest = max((abs(v) for f in ac for v in f), default=0.0)
    quant_max = int(max(0, min(82, math.floor(largest * 166 - 0.5))))
    ac_scale = (quant_max + 1) / 166.0
    parts = [
        _base83((components_x - 1) + (components_y - 1) * 9, 1),
        _base83(quant_max, 1),
        _base83((_to_srgb(dc[0]) << 16) + (_to_srgb(dc[1]) << 8) + _to_srgb(dc[2]), 4),
    ]
    parts += [
        _base83(
            _quantise(r, ac_scale) * 361 + _quantise(g, ac_scale) * 19 + _quantise(b, ac_scale), 2
        )
        for r, g, b in ac
    ]
    return "".join(parts)
