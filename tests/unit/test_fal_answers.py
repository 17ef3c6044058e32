"""Reading fal's answers without a server: endpoint ids, the persisted handle, result bodies."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from genmedia.adapters.providers.fal.handle import Handle, app_of
from genmedia.adapters.providers.fal.results import finished
from genmedia.adapters.providers.fal.transport import Answer
from genmedia.application.errors import ProviderError
from genmedia.application.ports import ProviderOutput
from genmedia.domain.moderation import ModerationStage
from genmedia.domain.provider_cost import CostUnit, ProviderCost

BASE = httpx.URL("https://queue.fal.run")


def result(body: Any, **headers: str) -> Answer:
    return Answer(200, body, httpx.Headers(headers))


@pytest.mark.parametrize(
    ("endpoint", "app"),
    [
        ("fal-ai/flux/dev", "fal-ai/flux"),
        ("fal-ai/flux-lora-fast-training", "fal-ai/flux-lora-fast-training"),
        ("fal-ai/flux/dev/image-to-image", "fal-ai/flux"),
        ("workflows/someone/my-flow", "workflows/someone/my-flow"),
        ("comfy/someone/graph/v2", "comfy/someone/graph"),
    ],
)
def test_status_and_result_live_under_the_app_of_the_endpoint_id(endpoint: str, app: str) -> None:
    assert app_of(endpoint) == app


def test_a_handle_is_persisted_as_json_and_read_back_the_same() -> None:
    handle = Handle.from_answer(
        "fal-ai/flux",
        {
            "request_id": "r1",
            "status_url": "https://queue.fal.run/fal-ai/flux/requests/r1/status",
            "response_url": "https://queue.fal.run/fal-ai/flux/requests/r1",
            "cancel_url": "https://queue.fal.run/fal-ai/flux/requests/r1/cancel",
            "queue_position": 0,
        },
    )

    assert Handle.decode(handle.encode()) == handle
    assert handle.url("cancel_url", "r1", BASE) == handle.cancel_url


def test_a_url_fal_did_not_return_is_built_from_the_base_and_the_app() -> None:
    handle = Handle.decode('{"app":"fal-ai/flux","status_url":7}')

    assert handle.url("status_url", "a/b", BASE) == (
        "https://queue.fal.run/fal-ai/flux/requests/a%2Fb/status"
    )


def test_plain_http_to_a_fal_host_is_not_trusted_with_the_key() -> None:
    handle = Handle(app="fal-ai/flux", response_url="http://queue.fal.run/fal-ai/flux/requests/r")

    assert handle.url("response_url", "r", BASE).startswith("https://")


def test_the_images_of_a_result_are_its_outputs_with_their_facts() -> None:
    body = {
        "images": [{"url": "https://v3.fal.media/a.png"}, {"url": "https://v3.fal.media/b.png"}],
        "seed": 7,
        "has_nsfw_concepts": [False, False],
    }

    done = finished("r1", {"metrics": {"inference_time": 1.25}}, result(body))

    assert done.outputs == (
        ProviderOutput(url="https://v3.fal.media/a.png"),
        ProviderOutput(url="https://v3.fal.media/b.png"),
    )
    assert done.metadata == {"request_id": "r1", "seed": 7, "inference_time": 1.25}


def test_a_single_image_result_and_a_data_uri_are_read_too() -> None:
    uri = "data:image/png;base64," + base64.b64encode(b"\x89PNG bytes").decode()

    done = finished("r1", {}, result({"image": {"url": uri}}))

    assert done.outputs == (ProviderOutput(data=b"\x89PNG bytes"),)


@pytest.mark.parametrize("body", [{}, {"images": []}, {"images": [{"url": ""}]}, None])
def test_a_result_without_an_image_is_no_result(body: Any) -> None:
    with pytest.raises(ProviderError) as excinfo:
        finished("r1", {}, result(body))

    assert (excinfo.value.code, excinfo.value.retryable) == ("no_result", False)


def test_one_flagged_image_of_two_moderates_the_output() -> None:
    body = {
        "images": [{"url": "https://a"}, {"url": "https://b"}],
        "has_nsfw_concepts": [False, True],
    }

    with pytest.raises(ProviderError) as excinfo:
        finished("r1", {}, result(body))

    assert excinfo.value.code == "content_moderated"
    assert excinfo.value.moderation is ModerationStage.OUTPUT
    assert "1 of 2" in excinfo.value.message


@pytest.mark.parametrize("units", ["2", "0.25"])
def test_billable_units_are_the_provider_cost_in_their_unit(units: str) -> None:
    body = {"images": [{"url": "https://a"}]}

    done = finished("r1", {}, result(body, **{"x-fal-billable-units": units}))

    assert done.provider_cost == ProviderCost(float(units), CostUnit.FAL_BILLABLE_UNITS)


@pytest.mark.parametrize("units", ["lots", "-1", "nan"])
def test_an_unreadable_billable_units_header_names_no_cost(units: str) -> None:
    done = finished(
        "r1", {}, result({"images": [{"url": "https://a"}]}, **{"x-fal-billable-units": units})
    )

    assert done.provider_cost is None


def test_a_result_without_billable_units_names_no_cost() -> None:
    assert finished("r1", {}, result({"images": [{"url": "https://a"}]})).provider_cost is None
