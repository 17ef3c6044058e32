"""The local trainer: a CPU-only STAND-IN for a diffusion LoRA, for the embedded default and
the tests.

It does not fine-tune any neural network. It learns measurable statistics of the training
images and writes them as the "weights" file, which the local provider applies when a
generation names the trained model (`lora.py`), pulling its pictures towards them:

- the mean colour and the 3×3 colour covariance of all pixels (a colour transfer);
- a palette of five colours by k-means, with the share of pixels each takes (Lloyd's
  algorithm, at most `steps` iterations, started from luminance quantiles);
- the texture: the mean gradient magnitude ("gradient energy") of the luminance.

The learning rate is recorded in the config, not used: there is no gradient descent here.
Images are read upright, in RGB, reduced to at most 128 pixels a side. Everything is
deterministic: the same images and settings give the same weights, byte for byte (floats
are rounded to 6 decimals and the JSON keys sorted).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps

from genmedia.application.errors import ProviderError

WEIGHTS_FORMAT = "genmedia-local-lora"
WEIGHTS_VERSION = 1
PALETTE_SIZE = 5
MAX_SIDE = 128
MAX_ITERATIONS = 200
_SAMPLE = 20_000
_LUMA = np.array([0.299, 0.587, 0.114])

Pixels = NDArray[np.float64]


def read_pixels(data: bytes) -> Pixels:
    """The image's pixels as an (h, w, 3) array of floats in 0…1, reduced to MAX_SIDE."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except Exception as exc:
        # Pillow raises many exception types for damaged data; all mean the same here.
        raise ProviderError("invalid_input", f"a training image cannot be read: {exc}") from exc
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.BILINEAR)
    return np.asarray(image, dtype=np.float64) / 255.0


def gradient_energy(pixels: Pixels) -> float:
    """The mean gradient magnitude of the luminance of an (h, w, 3) image in 0…1."""
    luma = pixels @ _LUMA
    if min(luma.shape) < 2:
        return 0.0
    dy, dx = np.diff(luma, axis=0)[:, :-1], np.diff(luma, axis=1)[:-1, :]
    return float(np.sqrt(dx * dx + dy * dy).mean())


def _sample(flat: Pixels) -> Pixels:
    """At most _SAMPLE pixels, evenly spaced: the same pixels for the same images."""
    step = max(1, len(flat) // _SAMPLE)
    return flat[::step]


def palette(flat: Pixels, steps: int) -> tuple[Pixels, Pixels, int]:
    """Five colours by k-means (at most `steps` iterations), their shares of the pixels,
    and the iterations run; dark to light."""
    points = _sample(flat)
    order = np.argsort(points @ _LUMA, kind="stable")
    picks = [
        order[min(len(order) - 1, (2 * k + 1) * len(order) // (2 * PALETTE_SIZE))]
        for k in range(PALETTE_SIZE)
    ]
    centres = points[picks].copy()
    iterations, budget = 0, min(max(steps, 1), MAX_ITERATIONS)
    labels = np.zeros(len(points), dtype=np.int64)
    while iterations < budget:
        iterations += 1
        distances = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        labels = distances.argmin(axis=1)
        moved = np.array(
            [
                points[labels == k].mean(axis=0) if (labels == k).any() else centres[k]
                for k in range(PALETTE_SIZE)
            ]
        )
        if np.allclose(moved, centres, atol=1e-6):
            centres = moved
            break
        centres = moved
    shares = np.bincount(labels, minlength=PALETTE_SIZE) / max(len(points), 1)
    rank = np.argsort(centres @ _LUMA, kind="stable")
    return centres[rank], shares[rank], iterations


def _rounded(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return _rounded(value.tolist())
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    if isinstance(value, np.floating):
        return _rounded(float(value))
    if isinstance(value, float):
        return round(value, 6) + 0.0  # no "-0.0"
    return value


def _json(document: dict[str, Any]) -> bytes:
    return json.dumps(_rounded(document), sort_keys=True, separators=(",", ":")).encode()


def train(images: Sequence[bytes], *, trigger_word: str, steps: int) -> tuple[dict[str, Any], int]:
    """Learn the statistics of the images (in order); the weights document and the
    k-means iterations run. ProviderError("invalid_input") if an image cannot be read."""
    if not images:
        raise ProviderError("invalid_input", "a training needs at least one image")
    each = [read_pixels(data) for data in images]
    flat = np.concatenate([pixels.reshape(-1, 3) for pixels in each])
    colours, shares, iterations = palette(flat, steps)
    weights = {
        "format": WEIGHTS_FORMAT,
        "version": WEIGHTS_VERSION,
        "trigger_word": trigger_word,
        "images": len(images),
        "mean": flat.mean(axis=0),
        "covariance": np.cov(flat, rowvar=False),
        "palette": [
            {"rgb": colour, "share": float(share)}
            for colour, share in zip(colours, shares, strict=True)
        ],
        "gradient_energy": float(np.mean([gradient_energy(pixels) for pixels in each])),
    }
    rounded: dict[str, Any] = _rounded(weights)  # what the file holds, to the last digit
    return rounded, iterations


def weights_file(weights: dict[str, Any]) -> bytes:
    """The weights as the bytes of their file (canonical JSON)."""
    return _json(weights)


def config_file(settings: dict[str, Any], images: Sequence[bytes], iterations: int) -> bytes:
    """The training's config file: its settings, the iterations run and each image's digest."""
    described = [
        {"order": order, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        for order, data in enumerate(images, start=1)
    ]
    document = {
        "format": f"{WEIGHTS_FORMAT}-config",
        "version": WEIGHTS_VERSION,
        **settings,
        "iterations": iterations,
        "training_images": described,
    }
    return _json(document)


def load_weights(data: bytes) -> dict[str, Any]:
    """The weights a file holds; ProviderError("invalid_input") if it is not ours."""
    try:
        weights = json.loads(data)
    except ValueError:
        weights = None
    if not isinstance(weights, dict) or weights.get("format") != WEIGHTS_FORMAT:
        raise ProviderError("invalid_input", "the LoRA is not a local trainer's weights file")
    return weights
