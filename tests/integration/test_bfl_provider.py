"""BflProvider against a fake BFL API on a loopback port: submit, poll, fetch, every failure."""

from __future__ import annotations

import base64
import io
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import attrs
import httpx
import pytest
from PIL import Image

from genmedia.adapters.providers.bfl import BflProvider
from genmedia.adapters.providers.delivery import Delivery
from genmedia.application.errors import ProviderError
from genmedia.application.ports import Finished, InputImage, Outcome, ProviderCall, Waiting
from genmedia.domain.moderation import ModerationStage
from genmedia.domain.provider_cost import CostUnit, ProviderCost
from tests.integration.fake_bfl import ALWAYS, API_KEY, FakeBfl, fake_bfl_server

pytestmark = pytest.mark.integration

VALIDATION_DETAIL = [
    {"loc": ["body", "width"], "msg": "Input should be a multiple of 32", "type": "value_error"}
]


def make_call(**changes: Any) -> ProviderCall:
    fields: dict[str, Any] = {
        "job_id": 7,
        "model": "flux-dev",
        "endpoint": None,
        "prompt": "a red fox in snow",
        "negative_prompt": None,
        "params": {"width": 1024, "height": 768, "output_format": "png", "steps": 28},
        "seed": 42,
    }
    return ProviderCall(**(fields | changes))


@pytest.fixture
def fake() -> Iterator[FakeBfl]:
    with fake_bfl_server() as server:
        yield server


@pytest.fixture
def delivery() -> Iterator[Delivery]:
    """The result downloader, allowed to reach the fake on loopback."""
    with Delivery(max_bytes=1024 * 1024, timeout=5.0, allow_private=True) as downloader:
        yield downloader


@pytest.fixture
def provider(fake: FakeBfl, delivery: Delivery) -> Iterator[BflProvider]:
    with BflProvider(
        api_key=API_KEY, base_url=fake.base_url, timeout=5.0, fetch_result=delivery.fetch
    ) as bfl:
        yield bfl


def waiting(outcome: Outcome) -> Waiting:
    assert isinstance(outcome, Waiting), outcome
    return outcome


def finished(outcome: Outcome) -> Finished:
    assert isinstance(outcome, Finished), outcome
    return outcome


def provider_error(excinfo: pytest.ExceptionInfo[ProviderError]) -> ProviderError:
    """The error, after checking it keeps no httpx exception (whose request holds the key)."""
    error = excinfo.value
    assert error.__cause__ is None
    assert error.__context__ is None
    for text in (str(error), repr(error), error.message):
        assert API_KEY not in text
    return error


def submit_error(provider: BflProvider, call: ProviderCall | None = None) -> ProviderError:
    with pytest.raises(ProviderError) as excinfo:
        provider.submit(call or make_call())
    return provider_error(excinfo)


def poll_until_done(provider: BflProvider, handle: Waiting, limit: int = 10) -> Finished:
    for _ in range(limit):
        outcome = provider.poll(handle.task_id, handle.polling_url)
        if isinstance(outcome, Finished):
            return outcome
    raise AssertionError(f"still waiting after {limit} polls")


def generate(provider: BflProvider, call: ProviderCall) -> bytes:
    """Submit, poll until ready and download the one sample."""
    (output,) = poll_until_done(provider, waiting(provider.submit(call))).outputs
    assert output.url is not None
    return provider.fetch(output.url)


def test_a_text_to_image_task_is_submitted_polled_until_ready_and_fetched_as_a_png(
    fake: FakeBfl, provider: BflProvider
) -> None:
    handle = waiting(provider.submit(make_call()))

    assert handle.task_id in fake.task_ids
    assert handle.polling_url == f"{fake.base_url}/v1/get_result?id={handle.task_id}"
    assert handle.provider_cost == ProviderCost(4.0, CostUnit.BFL_CREDITS)
    first = waiting(provider.poll(handle.task_id, handle.polling_url))
    second = waiting(provider.poll(handle.task_id, handle.polling_url))
    still = attrs.evolve(handle, provider_cost=None)  # a poll names no cost
    # ... and carries BFL's `progress`, a third and two thirds of the fake's three polls
    assert first == attrs.evolve(still, progress=pytest.approx(1 / 3))
    assert second == attrs.evolve(still, progress=pytest.approx(2 / 3))
    done = finished(provider.poll(handle.task_id, handle.polling_url))
    (output,) = done.outputs
    assert output.url == fake.sample_url(handle.task_id)
    data = provider.fetch(output.url)

    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (32, 24)
    assert done.provider_cost == ProviderCost(4.0, CostUnit.BFL_CREDITS)
    assert done.metadata == {
        "task_id": handle.task_id,
        "input_mp": 0.0,
        "output_mp": 0.79,
        "seed": 42,
    }
    assert len(fake.requests_to("/v1/get_result")) == 3


def test_the_submit_body_carries_the_prompt_seed_and_the_params_the_endpoint_takes(
    fake: FakeBfl, provider: BflProvider
) -> None:
    call = make_call(
        negative_prompt="blurry",
        params={
            "width": 1024,
            "height": 768,
            "output_format": "JPG",
            "steps": 28,
            "guidance": 3.0,
            "safety_tolerance": 2,
            "strength": 0.6,
            "aspect_ratio": "16:9",
            "prompt_upsampling": None,
        },
    )

    provider.submit(call)

    (submit,) = fake.requests_to("/v1/flux-dev")
    assert submit.method == "POST"
    assert submit.headers["content-type"] == "application/json"
    assert submit.json() == {
        "prompt": "a red fox in snow",
        "seed": 42,
        "width": 1024,
        "height": 768,
        "output_format": "jpeg",
        "steps": 28,
        "guidance": 3.0,
        "safety_tolerance": 2,
    }


def test_kontext_takes_an_aspect_ratio_and_no_width_or_steps(
    fake: FakeBfl, provider: BflProvider
) -> None:
    params = {"width": 1024, "height": 768, "aspect_ratio": "16:9", "steps": 28}

    provider.submit(make_call(model="flux-kontext-pro", params=params))

    (submit,) = fake.requests_to("/v1/flux-kontext-pro")
    assert submit.json() == {"prompt": "a red fox in snow", "seed": 42, "aspect_ratio": "16:9"}


def test_image_to_image_sends_the_input_images_as_base64(
    fake: FakeBfl, provider: BflProvider
) -> None:
    first, second = b"\x89PNG first source", b"\xff\xd8 second source"
    call = make_call(
        model="flux-kontext-pro",
        params={"output_format": "png"},
        inputs=(
            InputImage(data=first, file_format="png"),
            InputImage(data=second, file_format="jpeg"),
        ),
    )

    handle = waiting(provider.submit(call))

    (submit,) = fake.requests_to("/v1/flux-kontext-pro")
    body = submit.json()
    assert base64.b64decode(body["input_image"]) == first
    assert base64.b64decode(body["input_image_2"]) == second
    assert body["output_format"] == "png"
    (output,) = poll_until_done(provider, handle).outputs
    assert provider.fetch(output.url or "").startswith(b"\x89PNG")


def test_fill_sends_the_image_and_its_mask(fake: FakeBfl, provider: BflProvider) -> None:
    call = make_call(
        model="flux-pro-1.0-fill",
        params={"steps": 50, "guidance": 60, "width": 512},
        inputs=(
            InputImage(data=b"mask", file_format="png", slot="mask"),
            InputImage(data=b"source", file_format="png"),
        ),
    )

    provider.submit(call)

    body = fake.requests_to("/v1/flux-pro-1.0-fill")[0].json()
    assert base64.b64decode(body["image"]) == b"source"
    assert base64.b64decode(body["mask"]) == b"mask"
    assert "width" not in body


def test_more_input_images_than_the_endpoint_takes_are_refused_before_any_request(
    fake: FakeBfl, provider: BflProvider
) -> None:
    images = tuple(InputImage(data=b"x", file_format="png") for _ in range(5))

    error = submit_error(provider, make_call(model="flux-kontext-pro", inputs=images))

    assert error.code == "invalid_input"
    assert error.retryable is False
    assert fake.requests == []


def test_a_model_slug_that_is_not_a_plain_name_is_refused(
    fake: FakeBfl, provider: BflProvider
) -> None:
    error = submit_error(provider, make_call(model="../credits"))

    assert error.code == "invalid_input"
    assert fake.requests == []


def test_the_key_goes_in_the_x_key_header_of_api_calls_but_not_to_the_sample_url(
    fake: FakeBfl, provider: BflProvider
) -> None:
    handle = waiting(provider.submit(make_call()))
    done = poll_until_done(provider, handle)
    provider.fetch(done.outputs[0].url or "")

    api_calls = fake.requests_to("/v1/")
    assert len(api_calls) == 4
    assert all(request.headers["x-key"] == API_KEY for request in api_calls)
    (download,) = fake.requests_to("/samples/")
    assert "x-key" not in download.headers
    assert API_KEY not in repr(provider)


def test_a_wrong_key_is_provider_auth_and_the_key_never_appears_in_the_error(
    fake: FakeBfl, delivery: Delivery
) -> None:
    wrong_key = "bfl-wrong-key-should-stay-secret"
    with BflProvider(
        api_key=wrong_key, base_url=fake.base_url, fetch_result=delivery.fetch
    ) as provider:
        with pytest.raises(ProviderError) as excinfo:
            provider.submit(make_call())

        error = provider_error(excinfo)
        assert error.code == "provider_auth"
        assert error.retryable is False
        assert wrong_key not in str(error)
        assert wrong_key not in repr(provider)


def test_a_key_that_bfl_echoes_in_its_detail_is_masked_even_where_the_detail_is_cut(
    fake: FakeBfl, provider: BflProvider
) -> None:
    fake.script(fail_submits=2, fail_status=422, fail_detail=f"bad key {API_KEY}")

    assert "bad key ***" in submit_error(provider).message
    fake.script(fail_submits=1, fail_status=422, fail_detail="x" * 390 + API_KEY)
    assert API_KEY[:8] not in submit_error(provider).message


def http_date_in(seconds: int) -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds), usegmt=True)


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        (lambda: None, None),
        (lambda: "7", 7.0),
        (lambda: http_date_in(120), pytest.approx(120, abs=2)),
        (lambda: http_date_in(-60), 0.0),
    ],
    ids=["no-header", "seconds", "http-date", "http-date-past"],
)
def test_a_503_is_provider_unavailable_retryable_with_the_retry_after_parsed(
    fake: FakeBfl,
    provider: BflProvider,
    retry_after: Callable[[], str | None],
    expected: Any,
) -> None:
    fake.script(fail_submits=ALWAYS, fail_status=503, retry_after=retry_after())

    error = submit_error(provider)

    assert error.code == "provider_unavailable"
    assert error.retryable is True
    assert error.retry_after == expected
    assert "503" in error.message


def test_a_submit_that_fails_once_with_503_succeeds_when_tried_again(
    fake: FakeBfl, provider: BflProvider
) -> None:
    fake.script(fail_submits=1, fail_status=503)

    assert submit_error(provider).retryable is True
    handle = waiting(provider.submit(make_call()))

    assert fake.task_ids == [handle.task_id]


def test_a_429_is_rate_limited_and_retryable_after_the_given_seconds(
    fake: FakeBfl, provider: BflProvider
) -> None:
    fake.script(
        fail_submits=1, fail_status=429, fail_detail="Too many active tasks", retry_after="3"
    )

    error = submit_error(provider)

    assert (error.code, error.retryable, error.retry_after) == ("rate_limited", True, 3.0)
    assert "Too many active tasks" in error.message


def test_a_429_while_polling_is_rate_limited_too(fake: FakeBfl, provider: BflProvider) -> None:
    handle = waiting(provider.submit(make_call()))
    fake.script(fail_polls=1, fail_status=429, retry_after="2")

    with pytest.raises(ProviderError) as excinfo:
        provider.poll(handle.task_id, handle.polling_url)

    error = provider_error(excinfo)
    assert (error.code, error.retryable, error.retry_after) == ("rate_limited", True, 2.0)
    assert isinstance(provider.poll(handle.task_id, handle.polling_url), Waiting)


def test_a_422_is_invalid_input_with_bfls_detail(fake: FakeBfl, provider: BflProvider) -> None:
    fake.script(fail_submits=1, fail_status=422, fail_detail=VALIDATION_DETAIL)

    error = submit_error(provider)

    assert error.code == "invalid_input"
    assert error.retryable is False
    assert "body.width: Input should be a multiple of 32" in error.message


def test_a_402_is_insufficient_provider_credit(fake: FakeBfl, provider: BflProvider) -> None:
    fake.script(fail_submits=1, fail_status=402, fail_detail="Insufficient credits")

    error = submit_error(provider)

    assert (error.code, error.retryable) == ("insufficient_provider_credit", False)
    assert "Insufficient credits" in error.message


@pytest.mark.parametrize(
    ("status", "stage"),
    [("Request Moderated", ModerationStage.INPUT), ("Content Moderated", ModerationStage.OUTPUT)],
)
def test_a_moderated_task_is_content_moderated_at_its_stage_and_not_retryable(
    fake: FakeBfl, provider: BflProvider, status: str, stage: ModerationStage
) -> None:
    fake.script(final_status=status, pending_polls=1)
    handle = waiting(provider.submit(make_call()))
    waiting(provider.poll(handle.task_id, handle.polling_url))

    with pytest.raises(ProviderError) as excinfo:
        provider.poll(handle.task_id, handle.polling_url)

    error = provider_error(excinfo)
    assert (error.code, error.retryable, error.moderation) == ("content_moderated", False, stage)
    assert "Derivative Works Filter" in error.message


def test_a_task_that_ends_in_error_is_provider_error(fake: FakeBfl, provider: BflProvider) -> None:
    fake.script(final_status="Error", pending_polls=0)
    handle = waiting(provider.submit(make_call()))

    with pytest.raises(ProviderError) as excinfo:
        provider.poll(handle.task_id, handle.polling_url)

    assert (provider_error(excinfo).code, excinfo.value.retryable) == ("provider_error", False)


def test_an_unknown_status_is_a_failure_not_a_reason_to_keep_polling(
    fake: FakeBfl, provider: BflProvider
) -> None:
    fake.script(final_status="Reticulating", pending_polls=0)
    handle = waiting(provider.submit(make_call()))

    with pytest.raises(ProviderError) as excinfo:
        provider.poll(handle.task_id, handle.polling_url)

    assert provider_error(excinfo).code == "provider_error"
    assert "Reticulating" in excinfo.value.message


@pytest.mark.parametrize("not_found_status", [200, 404])
def test_an_unknown_task_is_provider_task_not_found(
    fake: FakeBfl, provider: BflProvider, not_found_status: int
) -> None:
    fake.script(not_found_status=not_found_status)

    with pytest.raises(ProviderError) as excinfo:
        provider.poll("no-such-task", f"{fake.base_url}/v1/get_result?id=no-such-task")

    error = provider_error(excinfo)
    assert (error.code, error.retryable) == ("provider_task_not_found", False)


def test_a_task_without_polling_url_is_polled_at_get_result_on_the_base_url(
    fake: FakeBfl, provider: BflProvider
) -> None:
    handle = waiting(provider.submit(make_call()))

    waiting(provider.poll(handle.task_id, None))

    (poll,) = fake.requests_to("/v1/get_result")
    assert poll.query == {"id": [handle.task_id]}


def test_a_polling_url_outside_bfl_is_not_sent_the_key(
    fake: FakeBfl, provider: BflProvider
) -> None:
    handle = waiting(provider.submit(make_call()))

    outcome = provider.poll(handle.task_id, "https://collector.example/v1/get_result?id=x")

    assert isinstance(outcome, Waiting)
    (poll,) = fake.requests_to("/v1/get_result")
    assert poll.query == {"id": [handle.task_id]}


@pytest.mark.parametrize("expired_status", [403, 404])
def test_an_expired_sample_is_result_expired(
    fake: FakeBfl, provider: BflProvider, expired_status: int
) -> None:
    fake.script(pending_polls=0)
    done = poll_until_done(provider, waiting(provider.submit(make_call())))
    fake.script(expire_samples=True, expired_status=expired_status)

    with pytest.raises(ProviderError) as excinfo:
        provider.fetch(done.outputs[0].url or "")

    error = provider_error(excinfo)
    assert (error.code, error.retryable) == ("result_expired", False)
    assert "sig" not in error.message


def test_the_same_request_gives_the_same_sample_bytes(fake: FakeBfl, provider: BflProvider) -> None:
    fake.script(pending_polls=0)

    first, second = (generate(provider, make_call()) for _ in range(2))
    other = generate(provider, make_call(seed=43))

    assert first == second
    assert other != first


def test_a_refused_connection_is_provider_unavailable_and_retryable(delivery: Delivery) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound but not listening: connections are refused
        port = closed.getsockname()[1]
        base_url = f"http://127.0.0.1:{port}"
        with BflProvider(
            api_key=API_KEY, base_url=base_url, fetch_result=delivery.fetch
        ) as provider:
            with pytest.raises(ProviderError) as submit_excinfo:
                provider.submit(make_call())
            with pytest.raises(ProviderError) as poll_excinfo:
                provider.poll("task", None)

    for excinfo in (submit_excinfo, poll_excinfo):
        error = provider_error(excinfo)
        assert (error.code, error.retryable) == ("provider_unavailable", True)


def test_a_read_timeout_on_submit_is_submit_outcome_unknown_and_not_retryable(
    fake: FakeBfl, delivery: Delivery
) -> None:
    fake.script(submit_delay=2.0)

    with BflProvider(
        api_key=API_KEY, base_url=fake.base_url, timeout=0.3, fetch_result=delivery.fetch
    ) as provider:
        error = submit_error(provider)

    assert (error.code, error.retryable) == ("submit_outcome_unknown", False)
    assert len(fake.task_ids) == 1  # the task exists at BFL even though no answer came back


def test_a_read_timeout_while_polling_is_provider_unavailable_and_retryable(
    fake: FakeBfl, delivery: Delivery
) -> None:
    with BflProvider(
        api_key=API_KEY, base_url=fake.base_url, timeout=0.3, fetch_result=delivery.fetch
    ) as provider:
        handle = waiting(provider.submit(make_call()))
        fake.script(poll_delay=2.0)
        with pytest.raises(ProviderError) as excinfo:
            provider.poll(handle.task_id, handle.polling_url)

    error = provider_error(excinfo)
    assert (error.code, error.retryable) == ("provider_unavailable", True)


def test_a_client_passed_in_is_used_and_left_open(fake: FakeBfl, delivery: Delivery) -> None:
    with httpx.Client() as client:
        with BflProvider(
            api_key=API_KEY, base_url=fake.base_url, client=client, fetch_result=delivery.fetch
        ) as provider:
            waiting(provider.submit(make_call()))
        assert not client.is_closed


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_submit_answered_with_a_server_error_is_an_unknown_outcome_never_resubmitted(
    fake: FakeBfl, provider: BflProvider, status: int
) -> None:
    fake.script(fail_submits=ALWAYS, fail_status=status)

    error = submit_error(provider)

    assert (error.code, error.retryable) == ("submit_outcome_unknown", False)
    assert str(status) in error.message


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_poll_answered_with_a_server_error_is_retryable(
    fake: FakeBfl, provider: BflProvider, status: int
) -> None:
    handle = waiting(provider.submit(make_call()))
    fake.script(fail_polls=ALWAYS, fail_status=status)

    with pytest.raises(ProviderError) as excinfo:
        provider.poll(handle.task_id, handle.polling_url)

    assert (provider_error(excinfo).code, provider_error(excinfo).retryable) == (
        "provider_unavailable",
        True,
    )
