"""Applying a local trainer's weights (`trainer.py`) to a rendered picture: the local
stand-in for a diffusion LoRA, scaled by the LoRA weight.

With weight w, the picture is moved the fraction a = min(w, 1) of the way to:

- its colour transfer onto the trained colours (the map that gives its pixels the trained
  mean and covariance), so its mean colour lands a of the way to the trained mean;
- the trained texture: then its detail (picture minus a blurred copy) is scaled so that
  its gradient energy heads for the trained one.

Above 1 (up to 2), pixels are also pulled towards their nearest trained palette colour,
by (w − 1) / 2. At 0 the picture is unchanged. The same picture and weights always give the
same pixels.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageFilter

from genmedia.adapters.providers.local.trainer import gradient_energy

MAX_WEIGHT = 2.0
_EPSILON = 1e-6
_MAX_DETAIL_GAIN = 3.0

Matrix = NDArray[np.float64]


def _sqrt_and_inverse(covariance: Matrix) -> tuple[Matrix, Matrix]:
    """The symmetric square root of a covariance and its inverse (regularised)."""
    values, vectors = np.linalg.eigh(covariance + _EPSILON * np.eye(3))
    root = np.sqrt(np.clip(values, _EPSILON, None))
    return (vectors * root) @ vectors.T, (vectors / root) @ vectors.T


def _colour_transfer(flat: Matrix, weights: dict[str, Any]) -> Matrix:
    """The pixels mapped onto the trained mean and covariance."""
    target_mean = np.asarray(weights["mean"], dtype=np.float64)
    target_root, _ = _sqrt_and_inverse(np.asarray(weights["covariance"], dtype=np.float64))
    mean = flat.mean(axis=0)
    _, inverse_root = _sqrt_and_inverse(np.cov(flat, rowvar=False))
    mapped: Matrix = (flat - mean) @ (target_root @ inverse_root).T + target_mean
    return mapped


def _nearest_palette(flat: Matrix, weights: dict[str, Any]) -> Matrix:
    colours = np.asarray([entry["rgb"] for entry in weights["palette"]], dtype=np.float64)
    distances = ((flat[:, None, :] - colours[None, :, :]) ** 2).sum(axis=2)
    nearest: Matrix = np.asarray(colours[distances.argmin(axis=1)], dtype=np.float64)
    return nearest


def _texture_step(pixels: Matrix, weights: dict[str, Any]) -> Matrix:
    """What moves the picture's gradient energy to the trained one: its detail (it minus a
    blurred copy) times the gain that, read off the energy with the detail doubled, would
    reach the target, within −1 and _MAX_DETAIL_GAIN."""
    as_bytes = np.rint(pixels * 255.0).astype(np.uint8)
    blurred = Image.fromarray(as_bytes, "RGB").filter(ImageFilter.GaussianBlur(1.5))
    detail = pixels - np.asarray(blurred, dtype=np.float64) / 255.0
    energy = gradient_energy(pixels)
    per_unit = gradient_energy(np.clip(pixels + detail, 0.0, 1.0)) - energy
    target = float(weights["gradient_energy"])
    gain = (target - energy) / per_unit if per_unit > _EPSILON else 0.0
    step: Matrix = min(max(gain, -1.0), _MAX_DETAIL_GAIN) * detail.reshape(-1, 3)
    return step


def apply_lora(image: Image.Image, weights: dict[str, Any], weight: float) -> Image.Image:
    """The picture pulled towards the trained statistics by `weight` (0 to 2)."""
    weight = min(max(float(weight), 0.0), MAX_WEIGHT)
    if weight == 0.0:
        return image
    share = min(weight, 1.0)
    pixels = np.asarray(image.convert("RGB"), dtype=np.float64) / 255.0
    height, width, _ = pixels.shape
    flat = pixels.reshape(-1, 3)
    moved = flat + share * (_colour_transfer(flat, weights) - flat)
    moved += share * _texture_step(np.clip(moved, 0.0, 1.0).reshape(height, width, 3), weights)
    if weight > 1.0:
        moved += (weight - 1.0) / 2 * (_nearest_palette(moved, weights) - moved)
    out = np.clip(np.rint(moved * 255.0), 0, 255).astype(np.uint8).reshape(height, width, 3)
    return Image.fromarray(out, "RGB")
