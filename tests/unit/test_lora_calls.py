"""A trained model's LoRA reaches each provider's call (TRN-3): fal `loras`, Replicate's
`lora_weights` and `lora_scale`, the local provider's weights as bytes; a job's LoRA becomes
a URL of our copy, or its bytes for a provider that takes them inline."""

from __future__ import annotations

from typing import IO

import pytest

from genmedia.adapters.providers.fal.payload import submit_body
from genmedia.adapters.providers.local.call_json import call_from_json, call_to_json
from genmedia.adapters.providers.replicate.payload import prediction_input
from genmedia.application.errors import ProviderError
from genmedia.application.execution.calls import lora_call
from genmedia.application.ports import LoraCall, ObjectStorage, ProviderCall
from genmedia.domain.job_input import LoraUse


def call(lora: LoraCall | None) -> ProviderCall:
    return ProviderCall(
        job_id=1, model="m", endpoint=None, prompt="ohwx a fox", negative_prompt=None,
        params={}, seed=3, lora=lora,
    )  # fmt: skip


class Shelf(ObjectStorage):
    """Storage with one object, signing URLs as `signed:key:seconds`."""

    def put(self, key: str, data: bytes, content_type: str) -> None:
        raise NotImplementedError

    def put_file(self, key: str, source: IO[bytes], content_type: str) -> None:
        raise NotImplementedError

    def get(self, key: str) -> bytes:
        return {"trained/w": b"weights"}[key]

    def delete(self, key: str) -> None:
        raise NotImplementedError

    def exists(self, key: str) -> bool:
        return key == "trained/w"

    def url(self, key: str, expires_in: int) -> str:
        return f"signed:{key}:{expires_in}"


def test_fal_and_replicate_take_the_lora_by_url_at_its_scale() -> None:
    lora = LoraCall(scale=0.7, url="https://files.example/w")
    assert submit_body(call(lora))["loras"] == [{"path": "https://files.example/w", "scale": 0.7}]
    given = prediction_input(call(lora))
    assert (given["lora_weights"], given["lora_scale"]) == ("https://files.example/w", 0.7)
    assert "loras" not in submit_body(call(None))
    with pytest.raises(ProviderError):
        submit_body(call(LoraCall(scale=1.0, data=b"x")))


def test_a_local_task_keeps_the_loras_bytes_and_scale() -> None:
    lora = LoraCall(scale=1.5, data=b"\x00weights")
    assert call_from_json(call_to_json(call(lora))).lora == lora
    assert "lora" not in call_to_json(call(None))


def test_a_jobs_lora_is_a_signed_url_of_our_copy_or_its_bytes_inline() -> None:
    use = LoraUse(trained_model_id=7, trigger_word="ohwx", weights_url="trained/w", weight=0.5)
    assert lora_call(use, Shelf(), inline=False) == LoraCall(scale=0.5, url="signed:trained/w:3600")
    assert lora_call(use, Shelf(), inline=True) == LoraCall(scale=0.5, data=b"weights")
    kept = LoraUse(trained_model_id=7, trigger_word="ohwx", weights_url="https://x/w", weight=1)
    assert lora_call(kept, Shelf(), inline=True) == LoraCall(scale=1, url="https://x/w")
