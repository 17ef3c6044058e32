"""The local trainer, a stand-in for a LoRA: it learns the images' colour and texture
statistics, deterministically, and applying them pulls a picture towards them."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from genmedia.adapters.providers.local import trainer
from genmedia.adapters.providers.local.lora import apply_lora
from genmedia.application.errors import ProviderError
from tests.images import encode


def striped(shade: int, size: int = 96) -> bytes:
    """A teal picture with orange stripes: far from any palette a prompt picks."""
    image = Image.new("RGB", (size, size), (20, 140 + shade, 130))
    draw = ImageDraw.Draw(image)
    for x in range(0, size, 12):
        draw.line((x, 0, x, size), fill=(240, 120, 30), width=2)
    return encode(image, "PNG")


def sky(size: int = 96) -> Image.Image:
    """A smooth purple gradient, the picture the weights are applied to."""
    ramp = np.linspace(0, 1, size)[None, :, None]
    pixels = (1 - ramp) * np.array([90, 30, 140]) + ramp * np.array([230, 160, 200])
    return Image.fromarray(np.repeat(pixels, size, axis=0).astype(np.uint8), "RGB")


IMAGES = [striped(shade) for shade in (0, 10, 20)]


def mean_distance(image: Image.Image, weights: dict[str, object]) -> float:
    pixels = np.asarray(image, dtype=np.float64).reshape(-1, 3) / 255
    return float(np.linalg.norm(pixels.mean(axis=0) - np.asarray(weights["mean"])))


def test_the_same_images_give_the_same_weights_byte_for_byte() -> None:
    first, _ = trainer.train(IMAGES, trigger_word="ohwx", steps=50)
    second, _ = trainer.train(list(IMAGES), trigger_word="ohwx", steps=50)
    assert trainer.weights_file(first) == trainer.weights_file(second)
    other, _ = trainer.train(IMAGES[:2], trigger_word="ohwx", steps=50)
    assert trainer.weights_file(other) != trainer.weights_file(first)


def test_the_weights_hold_the_images_mean_colour_palette_and_texture() -> None:
    weights, iterations = trainer.train(IMAGES, trigger_word="ohwx", steps=50)
    mean = np.asarray(weights["mean"]) * 255
    assert mean[1] > mean[2] > mean[0]  # teal, with some orange
    colours = [np.asarray(entry["rgb"]) * 255 for entry in weights["palette"]]
    assert any(np.abs(colour - (240, 120, 30)).max() < 30 for colour in colours)
    assert sum(entry["share"] for entry in weights["palette"]) == pytest.approx(1, abs=1e-5)
    assert weights["gradient_energy"] > 0.01
    assert 1 <= iterations <= 50


def test_applying_the_weights_moves_a_picture_towards_them_monotonically() -> None:
    weights, _ = trainer.train(IMAGES, trigger_word="ohwx", steps=50)
    base = sky()
    assert apply_lora(base, weights, 0.0) is base
    distances = [mean_distance(apply_lora(base, weights, w), weights) for w in (0, 0.5, 1.0)]
    assert distances[0] > distances[1] > distances[2]
    assert distances[2] < distances[0] / 5
    target = weights["gradient_energy"]
    gaps = [
        abs(trainer.gradient_energy(np.asarray(apply_lora(base, weights, w), float) / 255) - target)
        for w in (0, 0.5, 1.0)
    ]
    assert gaps[0] > max(gaps[1], gaps[2]) * 5  # the texture comes close to the trained one


def test_a_file_that_is_not_local_weights_is_refused() -> None:
    with pytest.raises(ProviderError):
        trainer.load_weights(b'{"format": "safetensors"}')
    with pytest.raises(ProviderError):
        trainer.train([b"not an image"], trigger_word="ohwx", steps=5)
