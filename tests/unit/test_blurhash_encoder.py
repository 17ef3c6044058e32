"""Our fast blurhash encoder gives the same hashes as the reference `blurhash` package."""

from __future__ import annotations

import random

import blurhash
import pytest

from genmedia.adapters.imaging.encoder import encode_rgb

SIZES = [(1, 1), (7, 5), (16, 16), (32, 18), (18, 32), (32, 32)]
COMPONENTS = [(1, 1), (4, 3), (3, 5), (9, 9)]


def picture(width: int, height: int, seed: int) -> bytes:
    """Smooth gradients with noise, like a downscaled photo."""
    rng = random.Random(seed)
    base = [rng.randrange(256) for _ in range(6)]
    pixels = bytearray()
    for y in range(height):
        for x in range(width):
            for c in range(3):
                mix = (x / max(width - 1, 1) * base[c] + y / max(height - 1, 1) * base[c + 3]) / 2
                pixels.append(max(0, min(255, int(mix) + rng.randrange(-20, 21))))
    return bytes(pixels)


def reference(rgb: bytes, width: int, height: int, cx: int, cy: int) -> str:
    rows = [
        [list(rgb[(y * width + x) * 3 : (y * width + x) * 3 + 3]) for x in range(width)]
        for y in range(height)
    ]
    return str(blurhash.encode(rows, cx, cy))


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize(("cx", "cy"), COMPONENTS)
def test_the_hash_matches_the_reference_encoder(width: int, height: int, cx: int, cy: int) -> None:
    for seed in range(3):
        rgb = picture(width, height, seed)
        assert encode_rgb(rgb, width, height, cx, cy) == reference(rgb, width, height, cx, cy)


def test_the_hash_has_the_size_flag_and_one_pair_per_ac_component() -> None:
    rgb = bytes([200, 40, 10]) * 64
    hashed = encode_rgb(rgb, 8, 8, 4, 3)
    assert hashed[0] == "L"  # (4 - 1) + (3 - 1) * 9 = 21 in base 83
    assert len(hashed) == 1 + 1 + 4 + 2 * (4 * 3 - 1)
    assert hashed == reference(rgb, 8, 8, 4, 3)
