"""A local training's result: the trainer's weights and config, and a preview drawn with
them (see `trainer.py`: a stand-in for a diffusion LoRA)."""

from __future__ import annotations

import time

from genmedia.adapters.providers.local import trainer
from genmedia.adapters.providers.local.lora import apply_lora
from genmedia.adapters.providers.local.params import job_from_call
from genmedia.adapters.providers.local.render import encode, render
from genmedia.application.ports import Finished, ProviderCall, ProviderOutput, TrainingCall
from genmedia.domain.provider_cost import CostUnit, ProviderCost

PREVIEW_SIDE = 256


def finish_training(call: TrainingCall) -> Finished:
    """Train on the call's images: the weights and config as artifacts, a preview as output."""
    started = time.perf_counter()
    images = [image.data for image in call.images]
    weights, iterations = trainer.train(images, trigger_word=call.trigger_word, steps=call.steps)
    settings = {
        "base_model": call.model,
        "type": call.type,
        "trigger_word": call.trigger_word,
        "instance_prompt": call.instance_prompt,
        "class_prompt": call.class_prompt,
        "steps": call.steps,
        "learning_rate": call.learning_rate,
    }
    config = trainer.config_file(settings, images, iterations)
    train_ms = round((time.perf_counter() - started) * 1000, 1)
    return Finished(
        outputs=(ProviderOutput(data=_preview(call, weights)),),
        provider_cost=ProviderCost(0, CostUnit.USD),  # it runs here, for nothing
        metadata={"model": call.model, "iterations": iterations, "train_ms": train_ms},
        artifacts={
            "weights": ProviderOutput(data=trainer.weights_file(weights)),
            "config": ProviderOutput(data=config),
        },
    )


def _preview(call: TrainingCall, weights: dict[str, object]) -> bytes:
    """A picture of the trigger word drawn by the base model with the new weights."""
    drawing = ProviderCall(
        job_id=call.job_id,
        model=call.model,
        endpoint=None,
        prompt=call.instance_prompt,
        negative_prompt=None,
        params={"width": PREVIEW_SIDE, "height": PREVIEW_SIDE},
        seed=0,
    )
    job = job_from_call(drawing)
    return encode(apply_lora(render(job), weights, 1.0), job.file_format)
