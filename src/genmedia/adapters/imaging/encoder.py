"""A fast blurhash encoder: the public BlurHash algorithm as one small matrix product.

The reference encoders compute every component as a double sum over all pixels in Python,
calling pow() per pixel. Here sRGB→linear is a 256-entry table, and every component of
every channel comes out of one product: a basis (per component, its cos(x)·cos(y) weight
of each pixel, normalised) times the linear pixels, built once per size and component
count. The output matches the `blurhash` package's (tests compare them).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import numpy.typing as npt

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"


def _frozen(array: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The array made read-only: the cached tables are shared by every thread."""
    array.setflags(write=False)
    return array


def _to_linear(value: int) -> float:
    v = value / 255.0
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


@functools.cache
def _linear_table() -> npt.NDArray[np.float64]:
    return _frozen(np.array([_to_linear(v) for v in range(256)]))


def _to_srgb(value: float) -> int:
    v = max(0.0, min(1.0, value))
    if v <= 0.0031308:
        return int(v * 12.92 * 255 + 0.5)
    return int((1.055 * math.pow(v, 1 / 2.4) - 0.055) * 255 + 0.5)


def _base83(value: int, length: int) -> str:
    return "".join(ALPHABET[value // 83 ** (length - i) % 83] for i in range(1, length + 1))


@functools.cache
def _cosines(components: int, size: int) -> npt.NDArray[np.float64]:
    """cos(π·c·p/size) for each component c (rows) and pixel position p (columns)."""
    return _frozen(np.cos(np.pi * np.outer(np.arange(components), np.arange(size)) / size))


# Bounded: its size grows with the components and the pixels, and a processor with a large
# hash size sees many sizes of thumbnail (every aspect ratio gives its own).
@functools.lru_cache(maxsize=32)
def _basis(
    width: int, height: int, components_x: int, components_y: int
) -> npt.NDArray[np.float64]:
    """Per component (rows, in hash order: x fastest), the weight of each pixel (columns, in
    row order): its two cosines times the normalisation (1 for the DC component, 2 for the
    others, over the pixel count)."""
    cos_y, cos_x = _cosines(components_y, height), _cosines(components_x, width)
    basis = (cos_y[:, None, :, None] * cos_x[None, :, None, :]).reshape(
        components_y * components_x, height * width
    )
    scale = np.full((components_y * components_x, 1), 2.0 / (width * height))
    scale[0, 0] = 1.0 / (width * height)
    return _frozen(basis * scale)


@functools.cache
def _pairs() -> tuple[str, ...]:
    """Every two-digit base-83 string, by value: an AC component's code is one of them."""
    return tuple(_base83(value, 2) for value in range(19**3))


def _quantised(ac: npt.NDArray[np.float64], scale: float) -> list[int]:
    """Per AC component (rows of r, g, b), its three channels quantised to 0…18 and packed
    into one value, with the same float operations as the reference's per-value code."""
    signed = np.copysign(np.sqrt(np.abs(ac / scale)), ac)
    steps = np.clip(np.floor(signed * 9.0 + 9.5), 0.0, 18.0).astype(np.int64)
    packed: list[int] = (steps[:, 0] * 361 + steps[:, 1] * 19 + steps[:, 2]).tolist()
    return packed


def encode_rgb(
    rgb: bytes, width: int, height: int, components_x: int = 4, components_y: int = 3
) -> str:
    """The blurhash of packed 8-bit RGB pixels (row by row), with the given component counts."""
    pixels = _linear_table()[np.frombuffer(rgb, dtype=np.uint8)].reshape(-1, 3)
    factors = _basis(width, height, components_x, components_y) @ pixels  # [component, rgb]
    dc, ac = factors[0].tolist(), factors[1:]
    largest = float(np.abs(ac).max()) if len(ac) else 0.0
    quant_max = int(max(0, min(82, math.floor(largest * 166 - 0.5))))
    ac_scale = (quant_max + 1) / 166.0
    pairs = _pairs()
    return "".join(
        [
            _base83((components_x - 1) + (components_y - 1) * 9, 1),
            _base83(quant_max, 1),
            _base83((_to_srgb(dc[0]) << 16) + (_to_srgb(dc[1]) << 8) + _to_srgb(dc[2]), 4),
            *(pairs[value] for value in _quantised(ac, ac_scale)),
        ]
    )
