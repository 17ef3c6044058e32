"""Trainings at fal without a server: the images archived in order at a URL of our copy,
the trainer's input, and the LoRA and config URLs of its result as artifacts."""

from __future__ import annotations

import io
import zipfile
from typing import IO, Any

import attrs
import httpx
import pytest

from genmedia.adapters.providers.fal.training import (
    FAST_TRAINER,
    PORTRAIT_TRAINER,
    is_training,
    trained,
    training_body,
)
from genmedia.adapters.providers.fal.transport import Answer
from genmedia.application.errors import ProviderError
from genmedia.application.ports import InputImage, ObjectStorage, ProviderOutput, TrainingCall
from genmedia.application.trainings.archive import ARCHIVE_URL_SECONDS, archive_url, suffix_of
from genmedia.domain.provider_cost import CostUnit, ProviderCost
from genmedia.domain.training import TrainingLimits

IMAGES = (
    InputImage(data=b"first", file_format="jpeg", slot="1"),
    InputImage(data=b"second", file_format="PNG", slot="2"),
)


def training(**changes: Any) -> TrainingCall:
    call = TrainingCall(
        job_id=4, model="fal-ai/flux-lora", endpoint="queue", trigger_word="ohwx",
        type="portrait", instance_prompt="a photo of ohwx", class_prompt=None, steps=500,
        learning_rate=0.0002, images=IMAGES, images_url="https://bucket.example/j4.zip?sig=1",
    )  # fmt: skip
    return attrs.evolve(call, **changes)


class Shelf(ObjectStorage):
    """Storage in a dict, signing URLs as `signed:key:seconds`."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.objects[key] = (data, content_type)

    def put_file(self, key: str, source: IO[bytes], content_type: str) -> None:
        raise NotImplementedError

    def get(self, key: str) -> bytes:
        return self.objects[key][0]

    def delete(self, key: str) -> None:
        raise NotImplementedError

    def exists(self, key: str) -> bool:
        return key in self.objects

    def url(self, key: str, expires_in: int) -> str:
        return f"signed:{key}:{expires_in}"


def test_the_images_are_archived_in_their_order_and_handed_over_as_a_signed_url() -> None:
    shelf = Shelf()

    url = archive_url("trained/j4-images.zip", IMAGES, shelf)

    assert url == f"signed:trained/j4-images.zip:{ARCHIVE_URL_SECONDS}"
    data, kind = shelf.objects["trained/j4-images.zip"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["01.jpeg", "02.png"]
        assert [archive.read(n) for n in archive.namelist()] == [b"first", b"second"]
    assert kind == "application/zip"
    archive_url("again.zip", IMAGES, shelf)
    assert shelf.get("again.zip") == data  # the same images, the same archive


def test_the_fast_trainer_gets_the_archive_url_trigger_word_steps_and_masks_for_a_portrait() -> (
    None
):
    assert training_body(training()) == {
        "images_data_url": "https://bucket.example/j4.zip?sig=1", "steps": 500,
        "trigger_word": "ohwx", "is_style": False, "create_masks": True,
    }  # fmt: skip
    assert training_body(training(type="style"))["is_style"] is True


def test_the_portrait_trainer_gets_a_trigger_phrase_and_the_learning_rate() -> None:
    body = training_body(training(trainer=PORTRAIT_TRAINER))
    assert (body["trigger_phrase"], body["learning_rate"]) == ("ohwx", 0.0002)
    assert "trigger_word" not in body


@pytest.mark.parametrize("url", [None, "/files/trained/j4.zip?signature=x", "file:///tmp/a.zip"])
def test_an_archive_url_fal_cannot_reach_is_refused_naming_the_public_url_setting(
    url: str | None,
) -> None:
    with pytest.raises(ProviderError) as refused:
        training_body(training(images_url=url))
    assert refused.value.code == "provider_not_configured"
    assert "GENMEDIA_PUBLIC_URL" in refused.value.message
    assert not refused.value.retryable


def test_a_training_result_gives_the_lora_and_config_urls_as_artifacts_and_no_output() -> None:
    body = {
        "diffusers_lora_file": {"url": "https://v3.fal.media/files/a/lora.safetensors"},
        "config_file": {"url": "https://v3.fal.media/files/a/config.json"},
    }
    answer = Answer(200, body, httpx.Headers({"x-fal-billable-units": "2"}))

    done = trained("req-1", answer)

    assert is_training(body)
    assert not is_training({"images": []})
    assert done.outputs == ()
    assert done.artifacts == {
        "weights": ProviderOutput(url="https://v3.fal.media/files/a/lora.safetensors"),
        "config": ProviderOutput(url="https://v3.fal.media/files/a/config.json"),
    }
    assert done.provider_cost == ProviderCost(2.0, CostUnit.FAL_BILLABLE_UNITS)


def test_a_training_result_without_a_lora_url_is_no_result() -> None:
    answer = Answer(200, {"diffusers_lora_file": {"url": ""}}, httpx.Headers())
    with pytest.raises(ProviderError) as failed:
        trained("req-1", answer)
    assert failed.value.code == "no_result"


def test_a_stored_artifact_keeps_the_file_suffix_of_its_url() -> None:
    assert suffix_of("https://x/f/pytorch_lora_weights.safetensors?t=1") == ".safetensors"
    assert suffix_of("https://x/f/trained_model.TAR#x") == ".tar"
    assert suffix_of("https://x/f/weights") == ""
    assert suffix_of("https://x/f/a.b/c") == ""
    assert suffix_of(None) == ""


def test_a_base_model_names_its_trainer_in_its_training_limits() -> None:
    limits = TrainingLimits.of(1, {"training": {"trainer": FAST_TRAINER, "price": 200}})
    assert (limits.trainer, limits.price) == (FAST_TRAINER, 200)
    assert TrainingLimits.of(1, {"training": {}}).trainer is None
    with pytest.raises(ValueError, match="trainer"):
        TrainingLimits.of(1, {"training": {"trainer": 5}})
