"""The pure parts of the Replicate adapter: slugs, durations, handles, outputs, moderation."""

from __future__ import annotations

import base64
import json

import pytest

from genmedia.adapters.providers.replicate.handle import Handle
from genmedia.adapters.providers.replicate.moderation import (
    INPUT_BLOCKED,
    OUTPUT_BLOCKED,
    STAGE_UNKNOWN,
    moderation_of,
)
from genmedia.adapters.providers.replicate.payload import Target, cancel_after, target_for
from genmedia.adapters.providers.replicate.results import outputs_of
from genmedia.application.errors import ProviderError

VERSION = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa"
BASE = "https://api.replicate.com"


@pytest.mark.parametrize(
    ("model", "target"),
    [
        ("owner/flux-schnell", Target("/v1/models/owner/flux-schnell/predictions")),
        (f"stability-ai/sdxl:{VERSION}", Target("/v1/predictions", VERSION)),
        (VERSION, Target("/v1/predictions", VERSION)),
    ],
)  # fmt: skip
def test_a_model_slug_names_where_its_prediction_is_created(model: str, target: Target) -> None:
    assert target_for(model) == target


@pytest.mark.parametrize(
    ("seconds", "header"),
    [(1800, "30m"), (5400, "1h30m"), (3661, "1h1m1s"), (45, "45s"), (0.2, "1s"), (59.5, "1m")],
)
def test_cancel_after_is_written_as_a_compact_duration_rounded_up(
    seconds: float, header: str
) -> None:
    assert cancel_after(seconds) == header


def test_a_handle_keeps_both_urls_in_its_polling_url_and_reads_them_back() -> None:
    get = f"{BASE}/v1/predictions/abc"
    handle = Handle("abc", get, get + "/cancel")

    kept = handle.polling_url()

    assert json.loads(kept) == {"get": get, "cancel": get + "/cancel"}
    assert Handle.stored("abc", kept) == handle
    assert handle.urls(BASE) == (get, get + "/cancel")


def test_a_create_answer_without_a_usable_id_is_an_unknown_outcome() -> None:
    for answer in ({}, {"id": ""}, {"id": "a/b"}, ["id"]):
        with pytest.raises(ProviderError) as excinfo:
            Handle.created(answer)
        assert excinfo.value.code == "submit_outcome_unknown"


def test_an_output_given_as_a_data_url_is_decoded_not_downloaded() -> None:
    data = b"\x89PNG bytes"
    url = "data:image/png;base64," + base64.b64encode(data).decode()

    (output,) = outputs_of({"output": [url]})

    assert (output.data, output.url) == (data, None)


@pytest.mark.parametrize(
    "output",
    [{"image": "https://x/y.png"}, ["ftp://x/y.png"], [3], ["data:image/png,raw"], "file:///etc/x"],
)
def test_an_output_that_is_no_file_url_is_a_provider_error(output: object) -> None:
    with pytest.raises(ProviderError) as excinfo:
        outputs_of({"output": output})

    assert excinfo.value.code == "provider_error"


@pytest.mark.parametrize(
    ("error", "verdict"),
    [
        ("NSFW content detected. Try running it again, or try a different prompt.", OUTPUT_BLOCKED),
        ("All generated images contained NSFW content.", OUTPUT_BLOCKED),
        ("Prompt flagged as sensitive content. Please change it.", INPUT_BLOCKED),
        ("Your input image was flagged by the content moderation system.", INPUT_BLOCKED),
        ("The input or output was flagged as sensitive. Please try again. (E005)", STAGE_UNKNOWN),
        ("Request blocked by the safety system.", STAGE_UNKNOWN),
        ("CUDA out of memory. Tried to allocate 2.00 GiB", None),
        ("Prediction interrupted; please retry (code: PA)", None),
    ],
)
def test_a_failure_reads_as_moderation_by_its_wording_with_the_stage_it_names(
    error: str, verdict: str | None
) -> None:
    assert moderation_of(error) == verdict
