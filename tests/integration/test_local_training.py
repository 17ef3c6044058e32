"""The local provider trains as an async task on disk, and applies what it trained."""

from __future__ import annotations

from pathlib import Path

from genmedia.adapters.providers.local import LocalProvider
from genmedia.adapters.providers.local.trainer import load_weights
from genmedia.application.ports import (
    Finished,
    InputImage,
    LoraCall,
    ProviderCall,
    TrainingCall,
    Waiting,
)
from tests.unit.test_local_trainer import IMAGES


def training(job_id: int = 1) -> TrainingCall:
    return TrainingCall(
        job_id=job_id, model="local-t2i", endpoint="sync", trigger_word="ohwx", type="style",
        instance_prompt="a photo of ohwx", class_prompt=None, steps=20, learning_rate=1e-4,
        images=tuple(InputImage(data=d, file_format="png", slot=str(n)) for n, d in
                     enumerate(IMAGES, start=1)),
    )  # fmt: skip


def drawing(lora: LoraCall | None) -> ProviderCall:
    return ProviderCall(
        job_id=2, model="local-t2i", endpoint="sync", prompt="ohwx a red sunset",
        negative_prompt=None, params={"width": 64, "height": 64}, seed=5, lora=lora,
    )  # fmt: skip


def test_a_training_task_trains_at_its_last_poll_and_counts_its_submits(tmp_path: Path) -> None:
    provider = LocalProvider(task_dir=tmp_path, async_polls=1)
    waiting = provider.submit_training(training())
    assert isinstance(waiting, Waiting)
    assert isinstance(provider.poll(waiting.task_id, waiting.polling_url), Waiting)
    done = provider.poll(waiting.task_id, waiting.polling_url)
    assert isinstance(done, Finished)
    assert set(done.artifacts) == {"weights", "config"}
    assert load_weights(done.artifacts["weights"].data or b"")["images"] == len(IMAGES)
    assert len(done.outputs) == 1  # the preview
    assert provider.submits(waiting.task_id) == 1
    again = provider.submit_training(training())
    assert isinstance(again, Waiting)
    assert (again.task_id, provider.submits(waiting.task_id)) == (waiting.task_id, 2)


def test_the_trained_weights_change_a_drawing_and_weight_zero_leaves_it(tmp_path: Path) -> None:
    provider = LocalProvider(task_dir=tmp_path, async_polls=0)
    task = provider.submit_training(training())
    assert isinstance(task, Waiting)
    done = provider.poll(task.task_id, None)
    assert isinstance(done, Finished)
    weights = done.artifacts["weights"].data

    def drawn(lora: LoraCall | None) -> bytes:
        outcome = provider.submit(drawing(lora))
        assert isinstance(outcome, Finished)
        return outcome.outputs[0].data or b""

    plain = drawn(None)
    assert drawn(LoraCall(scale=0.0, data=weights)) == plain
    assert drawn(LoraCall(scale=1.0, data=weights)) != plain
