"""A job's picture: the drawing for its mode, colour and vignette, and the encoded bytes."""

from __future__ import annotations

import io
import random
from typing import Any

from PIL import Image, ImageEnhance

from genmedia.adapters.providers.local.effects import vignette
from genmedia.adapters.providers.local.image_to_image import decode, transform
from genmedia.adapters.providers.local.lora import apply_lora
from genmedia.adapters.providers.local.palette import palette
from genmedia.adapters.providers.local.params import Job
from genmedia.adapters.providers.local.text_to_image import mentions_stars, scene

_SAVE_OPTIONS: dict[str, dict[str, Any]] = {
    "png": {"format": "PNG", "compress_level": 3, "optimize": False},
    "jpeg": {"format": "JPEG", "quality": 90, "subsampling": "4:2:0", "optimize": False},
    "webp": {"format": "WEBP", "quality": 90, "method": 2, "lossless": False},
}


def render(job: Job) -> Image.Image:
    """The picture of a job, as a fresh RGB image with no metadata."""
    rng = random.Random(job.seed_bytes)
    colours = palette(job.prompt, job.negative_prompt, rng)
    size = (job.width, job.height)
    if job.source is None:
        starry = mentions_stars(job.prompt, job.negative_prompt)
        image = scene(size, colours, rng, starry)
    else:
        image = transform(decode(job.source, size), colours, rng, job.strength)
    image = ImageEnhance.Color(image).enhance(min(1.6, max(0.5, 0.55 + job.guidance / 7.5)))
    image = vignette(image, rng.uniform(0.25, 0.55))
    if job.lora is not None:
        image = apply_lora(image, job.lora, job.lora_weight)
    return Image.frombytes("RGB", image.size, image.tobytes())


def encode(image: Image.Image, file_format: str) -> bytes:
    """The image saved in the format ("png", "jpeg" or "webp") with fixed options."""
    buffer = io.BytesIO()
    image.save(buffer, **_SAVE_OPTIONS[file_format])
    return buffer.getvalue()
