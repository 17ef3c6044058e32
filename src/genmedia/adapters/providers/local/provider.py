"""LocalProvider: the gateway that renders calls now (sync) or after a few polls (async)."""

from __future__ import annotations

import time
from pathlib import Path

from genmedia.adapters.providers.local.params import job_from_call
from genmedia.adapters.providers.local.render import encode, render
from genmedia.adapters.providers.local.tasks import TaskStore
from genmedia.adapters.providers.local.training import finish_training
from genmedia.application.errors import ProviderError
from genmedia.application.ports import (
    Finished,
    Outcome,
    ProviderCall,
    ProviderGateway,
    ProviderOutput,
    TrainingCall,
    TrainingGateway,
    Waiting,
)
from genmedia.domain.provider_cost import CostUnit, ProviderCost


class LocalProvider(ProviderGateway, TrainingGateway):
    """Draws images on the spot with Pillow: text-to-image, and image-to-image from an input;
    trains its stand-in for a LoRA (`trainer.py`) as an async task, and applies one to a
    call that carries its weights (`lora.py`, scaled by the LoRA weight).

    `call.endpoint` picks the mode: "sync" (or None) renders in `submit`; "async" stores a
    task under `task_dir` and renders after `async_polls` polls. Params: `width`, `height`
    (default 512), `aspect_ratio` ("W:H", `width` is the long side), `output_format`
    (png, jpeg or webp), `guidance` (saturation), `strength` (0..1, how far an input image
    is transformed); unknown params only vary the picture. Colour words of the prompt
    (red, ocean, sunset, …) pick the palette; a colour word in the negative prompt removes it.
    The same call always gives the same bytes.
    """

    name = "local"
    inline_loras = True

    def __init__(self, *, task_dir: Path, async_polls: int = 2) -> None:
        self._tasks = TaskStore(Path(task_dir))
        self._async_polls = async_polls

    def submit(self, call: ProviderCall) -> Outcome:
        """Render now in sync mode; store a task and answer Waiting in async mode."""
        if call.endpoint in (None, "sync"):
            return _finish(call)
        if call.endpoint != "async":
            raise ProviderError("invalid_request", f"unknown endpoint {call.endpoint!r}")
        job_from_call(call)  # refuse bad params now rather than at the last poll
        return _waiting(self._tasks.save(call))

    def submit_training(self, call: TrainingCall) -> Outcome:
        """Store a training task and answer Waiting: it trains at its last poll."""
        return _waiting(self._tasks.save(call))

    def poll(self, task_id: str, polling_url: str | None) -> Outcome:
        """Answer Waiting for the first `async_polls` polls of a task, then render it (or
        train it)."""
        call = self._tasks.load(task_id)
        if self._tasks.count_poll(task_id) < self._async_polls:
            return _waiting(task_id)
        return finish_training(call) if isinstance(call, TrainingCall) else _finish(call)

    def submits(self, task_id: str) -> int:
        """How many times the task was submitted (for tests: a resumed job submits none)."""
        return self._tasks.submits(task_id)

    def fetch(self, url: str) -> bytes:
        """Never needed: this provider returns bytes, not URLs."""
        raise ProviderError("unsupported", "the local provider returns no URLs")

    def cancel(self, task_id: str, polling_url: str | None) -> None:
        """Forget a stored task; cancelling an unknown task does nothing."""
        self._tasks.forget(task_id)


def _waiting(task_id: str) -> Waiting:
    return Waiting(task_id=task_id, polling_url=f"local://tasks/{task_id}", poll_after=0.2)


def _finish(call: ProviderCall) -> Finished:
    """Render the call into one output."""
    job = job_from_call(call)
    started = time.perf_counter()
    data = encode(render(job), job.file_format)
    render_ms = round((time.perf_counter() - started) * 1000, 1)
    return Finished(
        outputs=(ProviderOutput(data=data),),
        provider_cost=ProviderCost(0, CostUnit.USD),  # it runs here, for nothing
        metadata={
            "model": call.model,
            "width": job.width,
            "height": job.height,
            "format": job.file_format,
            "seed": call.seed,
            "render_ms": render_ms,
        },
    )
