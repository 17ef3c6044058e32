"""Local training: the time to train the local trainer on five 512 px photos (issue #19)."""

from __future__ import annotations

import io
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from genmedia.adapters.providers.local import LocalProvider
from genmedia.application.ports import Finished, InputImage, TrainingCall

RUNS = 5
SIDE = 512


def _photos() -> tuple[InputImage, ...]:
    """Five 512 px JPEGs of smooth colour fields with noise, like photos to the trainer."""
    rng = np.random.default_rng(19)
    photos = []
    for n in range(5):
        ramp = np.linspace(0, 1, SIDE)[:, None, None]
        base = (1 - ramp) * rng.uniform(0, 255, 3) + ramp * rng.uniform(0, 255, 3)
        pixels = np.clip(base + rng.normal(0, 12, (SIDE, SIDE, 3)), 0, 255).astype(np.uint8)
        buffer = io.BytesIO()
        Image.fromarray(pixels, "RGB").save(buffer, "JPEG", quality=90)
        photos.append(InputImage(data=buffer.getvalue(), file_format="jpeg", slot=str(n + 1)))
    return tuple(photos)


def _train_once(provider: LocalProvider, call: TrainingCall) -> float:
    """Seconds from submitting the training to its finished result (weights, config, preview)."""
    started = time.perf_counter()
    waiting = provider.submit_training(call)
    outcome = provider.poll(getattr(waiting, "task_id", ""), None)
    if not isinstance(outcome, Finished) or "weights" not in outcome.artifacts:
        raise RuntimeError(f"the local training did not finish: {outcome}")
    return time.perf_counter() - started


def run() -> dict[str, float]:
    """The median seconds of RUNS local trainings on five 512 px photos."""
    photos = _photos()
    times = []
    with tempfile.TemporaryDirectory() as folder:
        provider = LocalProvider(task_dir=Path(folder), async_polls=0)
        for run_number in range(RUNS):
            call = TrainingCall(
                job_id=run_number, model="local-t2i", endpoint="sync", trigger_word="ohwx",
                type="portrait", instance_prompt="a photo of ohwx", class_prompt=None,
                steps=100, learning_rate=1e-4, images=photos,
            )  # fmt: skip
            times.append(_train_once(provider, call))
    return {"training.local_s": round(statistics.median(times), 3)}
