"""ReplicateProvider against a fake Replicate on a loopback port: what it sends, HTTP errors."""

from __future__ import annotations

import base64
import io
import json
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from genmedia.adapters.providers.replicate import ReplicateProvider
from genmedia.application.errors import ProviderError
from genmedia.application.ports import InputImage
from genmedia.domain.provider_cost import CostUnit, ProviderCost
from tests.integration.downloads import LoopbackDownloads
from tests.integration.fake_replicate import ALWAYS, API_KEY, MODEL, VERSION, FakeReplicate
from tests.integration.fake_replicate_server import fake_replicate_server
from tests.integration.replicate_support import (
    caught,
    finished,
    make_call,
    poll_until_done,
    replicate,
    submit_error,
    waiting,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def fake() -> Iterator[FakeReplicate]:
    with fake_replicate_server() as server:
        yield server


@pytest.fixture
def downloads() -> LoopbackDownloads:
    return LoopbackDownloads()


@pytest.fixture
def provider(fake: FakeReplicate, downloads: LoopbackDownloads) -> Iterator[ReplicateProvider]:
    with replicate(fake, downloads) as gateway:
        yield gateway


def test_a_prediction_is_created_polled_through_starting_and_processing_and_fetched(
    fake: FakeReplicate, provider: ReplicateProvider, downloads: LoopbackDownloads
) -> None:
    fake.script(starting_polls=1, processing_polls=3)
    handle = waiting(provider.submit(make_call()))

    prediction = fake.prediction(handle.task_id)
    get_url = f"{fake.base_url}/v1/predictions/{handle.task_id}"
    assert json.loads(handle.polling_url or "") == {"get": get_url, "cancel": get_url + "/cancel"}
    for _ in range(4):
        assert provider.poll(handle.task_id, handle.polling_url) == handle
    done = finished(provider.poll(handle.task_id, handle.polling_url))
    (output,) = done.outputs
    data = provider.fetch(output.url or "")

    assert output.url == fake.output_url(handle.task_id)
    assert downloads.urls == [output.url]
    assert Image.open(io.BytesIO(data)).format == "PNG"
    assert done.provider_cost == ProviderCost(1.25, CostUnit.REPLICATE_PREDICT_SECONDS)
    assert done.metadata == {
        "prediction_id": handle.task_id,
        "model": MODEL,
        "version": "hidden",
        "predict_time": 1.25,
        "total_time": 3.1,
    }
    assert (prediction.polls, fake.submits) == (5, 1)


def test_an_official_model_is_created_by_path_with_the_input_the_token_and_cancel_after(
    fake: FakeReplicate, downloads: LoopbackDownloads
) -> None:
    with replicate(fake, downloads, cancel_after=5400.0) as provider:
        provider.submit(make_call(negative_prompt="blurry"))

    (create,) = fake.requests_to("/v1/models/")
    assert create.path == f"/v1/models/{MODEL}/predictions"
    assert create.headers["authorization"] == f"Bearer {API_KEY}"
    assert create.headers["cancel-after"] == "1h30m"
    assert "prefer" not in create.headers
    assert create.json() == {
        "input": {
            "aspect_ratio": "1:1",
            "output_format": "png",
            "prompt": "a red fox in snow",
            "seed": 42,
            "negative_prompt": "blurry",
        }
    }


@pytest.mark.parametrize("model", [f"{MODEL}:{VERSION}", VERSION], ids=["name:version", "version"])
def test_a_version_is_created_at_predictions_with_the_version_in_the_body(
    fake: FakeReplicate, provider: ReplicateProvider, model: str
) -> None:
    handle = waiting(provider.submit(make_call(model=model)))

    (create,) = fake.requests_to("/v1/predictions")
    assert create.path == "/v1/predictions"
    assert create.json()["version"] == VERSION
    assert fake.prediction(handle.task_id).version == VERSION


@pytest.mark.parametrize("model", ["../credits", "flux-schnell", f"{MODEL}:latest", "a/b/c"])
def test_a_slug_that_names_no_model_or_version_is_refused_before_any_request(
    fake: FakeReplicate, provider: ReplicateProvider, model: str
) -> None:
    error = submit_error(provider, make_call(model=model))

    assert (error.code, error.retryable) == ("invalid_input", False)
    assert fake.requests == []


def test_input_images_go_as_data_urls_under_their_slot_names(
    fake: FakeReplicate, provider: ReplicateProvider
) -> None:
    images = (
        InputImage(data=b"\x89PNG source", file_format="png"),
        InputImage(data=b"mask bytes", file_format="PNG", slot="mask"),
        InputImage(data=b"\xff\xd8 second", file_format="jpg"),
    )

    provider.submit(make_call(inputs=images))

    sent = fake.requests_to("/v1/models/")[0].json()["input"]
    first = "data:image/png;base64," + base64.b64encode(b"\x89PNG source").decode()
    second = "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8 second").decode()
    assert sent["image"] == [first, second]
    assert sent["mask"] == "data:image/png;base64," + base64.b64encode(b"mask bytes").decode()


def test_a_webhook_url_asks_for_the_completed_event_only(
    fake: FakeReplicate, downloads: LoopbackDownloads
) -> None:
    hook = "https://genmedia.example/v1/webhooks/replicate"
    with replicate(fake, downloads, accepts_webhooks=True, cancel_after=None) as provider:
        handle = waiting(provider.submit(make_call(webhook_url=hook)))

    create = fake.requests_to("/v1/models/")[0]
    assert create.json()["webhook"] == hook
    assert create.json()["webhook_events_filter"] == ["completed"]
    assert "cancel-after" not in create.headers
    assert fake.prediction(handle.task_id).webhook == hook


def test_a_call_s_webhook_is_not_named_without_a_secret_to_verify_its_deliveries(
    fake: FakeReplicate, downloads: LoopbackDownloads
) -> None:
    hook = "https://genmedia.example/v1/webhooks/replicate"
    with replicate(fake, downloads, cancel_after=None) as provider:
        assert not provider.accepts_webhooks
        provider.submit(make_call(webhook_url=hook))
    create = fake.requests_to("/v1/models/")[0]
    assert "webhook" not in create.json()


@pytest.mark.parametrize("as_list", [True, False], ids=["list", "string"])
def test_every_output_url_becomes_an_output_whether_listed_or_single(
    fake: FakeReplicate, provider: ReplicateProvider, as_list: bool
) -> None:
    count = 3 if as_list else 1
    fake.script(starting_polls=0, processing_polls=0, outputs=count, output_as_list=as_list)
    handle = waiting(provider.submit(make_call()))

    done = finished(provider.poll(handle.task_id, handle.polling_url))

    assert [o.url for o in done.outputs] == [
        fake.output_url(handle.task_id, i) for i in range(count)
    ]
    datas = [provider.fetch(o.url or "") for o in done.outputs]
    assert len(set(datas)) == count


def test_the_token_goes_to_the_api_but_never_to_an_output_url(
    fake: FakeReplicate, provider: ReplicateProvider
) -> None:
    handle = waiting(provider.submit(make_call()))
    done = poll_until_done(provider, handle)
    provider.fetch(done.outputs[0].url or "")

    api_calls = fake.requests_to("/v1/")
    assert len(api_calls) == 4
    assert all(r.headers["authorization"] == f"Bearer {API_KEY}" for r in api_calls)
    (download,) = fake.requests_to("/delivery/")
    assert "authorization" not in download.headers
    assert API_KEY not in repr(provider)


def test_a_wrong_token_is_provider_auth_and_never_appears_in_the_error(
    fake: FakeReplicate, downloads: LoopbackDownloads
) -> None:
    wrong = "r8_wrong-token-that-stays-secret"
    with replicate(fake, downloads, api_key=wrong) as provider:
        error = submit_error(provider)

    assert (error.code, error.retryable) == ("provider_auth", False)
    assert wrong not in str(error)
    assert "You did not pass a valid token" in error.message


def test_a_402_is_insufficient_provider_credit(
    fake: FakeReplicate, provider: ReplicateProvider
) -> None:
    fake.script(fail_submits=1, fail_status=402, fail_detail="You have insufficient credit")

    error = submit_error(provider)

    assert (error.code, error.retryable) == ("insufficient_provider_credit", False)
    assert "insufficient credit" in error.message
    assert fake.predictions == []


def test_a_422_is_invalid_input_with_replicates_title_and_detail(
    fake: FakeReplicate, provider: ReplicateProvider
) -> None:
    fake.script(fail_submits=1, fail_status=422, fail_detail="- input.num_outputs: Must be <= 4")

    error = submit_error(provider)

    assert (error.code, error.retryable) == ("invalid_input", False)
    assert "Request failed: - input.num_outputs: Must be <= 4" in error.message


def test_a_detail_that_echoes_the_token_is_masked(
    fake: FakeReplicate, provider: ReplicateProvider
) -> None:
    fake.script(fail_submits=2, fail_status=422, fail_detail=f"bad token {API_KEY}")
    assert "bad token ***" in submit_error(provider).message
    fake.script(fail_submits=1, fail_status=422, fail_detail="x" * 380 + API_KEY)
    assert API_KEY[:8] not in submit_error(provider).message


def test_an_unknown_official_model_is_a_provider_error_that_says_so(
    fake: FakeReplicate, provider: ReplicateProvider
) -> None:
    error = submit_error(provider, make_call(model="nobody/nothing"))

    assert (error.code, error.retryable) == ("provider_error", False)
    assert "no such model or version" in error.message


def test_a_refused_version_is_invalid_input(
    fake: FakeReplicate, provider: ReplicateProvider
) -> None:
    error = submit_error(provider, make_call(model="0" * 64))

    assert (error.code, error.retryable) == ("invalid_input", False)
    assert "Invalid version" in error.message


THROTTLED = "Request was throttled."


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ({"retry_after": "7"}, 7.0),
        ({"retry_after_date_in": 120}, pytest.approx(120, abs=2)),
        ({"retry_after_date_in": -60}, 0.0),
        ({"fail_detail": THROTTLED + " Your rate limit resets in ~30s."}, 30.0),
        ({}, None),
    ],
    ids=["seconds", "http-date", "http-date-past", "body-hint", "no-hint"],
)
def test_a_429_is_rate_limited_and_retryable_after_the_time_replicate_names(
    fake: FakeReplicate, provider: ReplicateProvider, script: dict[str, Any], expected: Any
) -> None:
    fake.script(fail_submits=1, fail_status=429, **({"fail_detail": THROTTLED} | script))

    error = submit_error(provider)

    assert (error.code, error.retryable, error.retry_after) == ("rate_limited", True, expected)
    assert fake.predictions == []
    waiting(provider.submit(make_call()))  # Replicate made nothing: trying again is safe
    assert fake.submits == 2


def test_a_429_while_polling_is_rate_limited_too(
    fake: FakeReplicate, provider: ReplicateProvider
) -> None:
    handle = waiting(provider.submit(make_call()))
    fake.script(fail_polls=1, fail_status=429, retry_after="2")

    with pytest.raises(ProviderError) as excinfo:
        provider.poll(handle.task_id, handle.polling_url)

    error = caught(excinfo)
    assert (error.code, error.retryable, error.retry_after) == ("rate_limited", True, 2.0)
    assert provider.poll(handle.task_id, handle.polling_url) == handle


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_create_answered_with_a_server_error_is_an_unknown_outcome_never_resent(
    fake: FakeReplicate, provider: ReplicateProvider, status: int
) -> None:
    fake.script(fail_submits=ALWAYS, fail_status=status, create_before_failing=True)

    error = submit_error(provider)

    assert (error.code, error.retryable) == ("submit_outcome_unknown", False)
    assert str(status) in error.message
    assert (fake.submits, len(fake.predictions)) == (1, 1)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_poll_answered_with_a_server_error_is_retryable_with_its_retry_after(
    fake: FakeReplicate, provider: ReplicateProvider, status: int
) -> None:
    handle = waiting(provider.submit(make_call()))
    fake.script(fail_polls=1, fail_status=status, retry_after="4")

    with pytest.raises(ProviderError) as excinfo:
        provider.poll(handle.task_id, handle.polling_url)

    error = caught(excinfo)
    assert (error.code, error.retryable, error.retry_after) == ("provider_unavailable", True, 4.0)
    assert provider.poll(handle.task_id, handle.polling_url) == handle


def test_a_read_timeout_on_create_is_submit_outcome_unknown_though_the_prediction_exists(
    fake: FakeReplicate, downloads: LoopbackDownloads
) -> None:
    fake.script(submit_delay=2.0)

    with replicate(fake, downloads, timeout=0.3) as provider:
        error = submit_error(provider)

    assert (error.code, error.retryable) == ("submit_outcome_unknown", False)
    assert (fake.submits, len(fake.predictions)) == (1, 1)


def test_a_read_timeout_while_polling_is_provider_unavailable_and_retryable(
    fake: FakeReplicate, downloads: LoopbackDownloads
) -> None:
    with replicate(fake, downloads, timeout=0.3) as provider:
        handle = waiting(provider.submit(make_call()))
        fake.script(poll_delay=2.0)
        with pytest.raises(ProviderError) as excinfo:
            provider.poll(handle.task_id, handle.polling_url)

    assert (caught(excinfo).code, excinfo.value.retryable) == ("provider_unavailable", True)


def test_a_refused_connection_is_provider_unavailable_and_retryable(
    downloads: LoopbackDownloads,
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound but not listening: connections are refused
        base_url = f"http://127.0.0.1:{closed.getsockname()[1]}"
        with ReplicateProvider(api_key=API_KEY, fetch_result=downloads, base_url=base_url) as gw:
            with pytest.raises(ProviderError) as submit_excinfo:
                gw.submit(make_call())
            with pytest.raises(ProviderError) as poll_excinfo:
                gw.poll("abc123", None)

    for excinfo in (submit_excinfo, poll_excinfo):
        error = caught(excinfo)
        assert (error.code, error.retryable) == ("provider_unavailable", True)


def test_a_client_passed_in_is_used_and_left_open(
    fake: FakeReplicate, downloads: LoopbackDownloads
) -> None:
    with httpx.Client() as client:
        with replicate(fake, downloads, client=client) as provider:
            waiting(provider.submit(make_call()))
        assert not client.is_closed
