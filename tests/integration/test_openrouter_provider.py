"""OpenRouterProvider against a fake OpenRouter API on a loopback port: every answer and failure."""

from __future__ import annotations

import base64
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from genmedia.adapters.providers.openrouter import OpenRouterProvider
from genmedia.application.errors import ProviderError
from genmedia.application.ports import Finished, InputImage, Outcome, ProviderCall
from genmedia.domain.moderation import ModerationStage
from genmedia.domain.provider_cost import CostUnit, ProviderCost
from tests.integration.fake_openrouter import (
    ALWAYS,
    API_KEY,
    COST,
    FakeOpenRouter,
    fake_openrouter_server,
    fetch_loopback,
    image_png,
)

INPUT = ModerationStage.INPUT
pytestmark = pytest.mark.integration

MODEL = "google/gemini-2.5-flash-image"


def make_call(**changes: Any) -> ProviderCall:
    fields: dict[str, Any] = {
        "job_id": 7,
        "model": MODEL,
        "endpoint": None,
        "prompt": "a red fox in snow",
        "negative_prompt": None,
        "params": {"aspect_ratio": "16:9"},
        "seed": 42,
    }
    return ProviderCall(**(fields | changes))


@pytest.fixture
def fake() -> Iterator[FakeOpenRouter]:
    with fake_openrouter_server() as server:
        yield server


def open_provider(fake: FakeOpenRouter, **options: Any) -> OpenRouterProvider:
    defaults: dict[str, Any] = {"api_key": API_KEY, "fetch_result": fetch_loopback, "timeout": 5.0}
    return OpenRouterProvider(base_url=fake.base_url, **(defaults | options))


@pytest.fixture
def provider(fake: FakeOpenRouter) -> Iterator[OpenRouterProvider]:
    with open_provider(fake) as openrouter:
        yield openrouter


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


def submit_error(provider: OpenRouterProvider, call: ProviderCall | None = None) -> ProviderError:
    with pytest.raises(ProviderError) as excinfo:
        provider.submit(call or make_call())
    return provider_error(excinfo)


def test_an_image_comes_back_as_a_data_url_and_is_finished_with_its_bytes_and_cost(
    fake: FakeOpenRouter, provider: OpenRouterProvider
) -> None:
    done = finished(provider.submit(make_call()))

    (request,) = fake.completions
    (output,) = done.outputs
    assert output.data == image_png(request.json())
    assert output.url is None
    assert done.provider_cost == ProviderCost(COST, CostUnit.USD)
    assert done.metadata.pop("generation_id").startswith("gen-")
    assert done.metadata == {
        "model": MODEL,
        "provider": "Google",
        "prompt_tokens": 12,
        "completion_tokens": 1300,
        "total_tokens": 1312,
        "image_tokens": 1290,
        "finish_reason": "stop",
    }


def test_the_request_asks_for_the_image_modality_with_the_prompt_seed_and_image_config(
    fake: FakeOpenRouter, provider: OpenRouterProvider
) -> None:
    params = {"aspect_ratio": "16:9", "image_size": "2K", "width": 1024, "guidance": 3.0}

    provider.submit(make_call(params=params, negative_prompt="blurry"))

    (request,) = fake.completions
    assert request.method == "POST"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {
        "model": MODEL,
        "messages": [{"role": "user", "content": "a red fox in snow"}],
        "modalities": ["image", "text"],
        "stream": False,
        "seed": 42,
        "image_config": {"aspect_ratio": "16:9", "image_size": "2K"},
    }


def test_a_seed_beyond_a_signed_32_bit_integer_is_folded_into_its_range(
    fake: FakeOpenRouter, provider: OpenRouterProvider
) -> None:
    provider.submit(make_call(seed=2**32 - 1, params={}))

    body = fake.completions[0].json()
    assert body["seed"] == 2**31 - 1
    assert "image_config" not in body


def test_input_images_go_as_image_url_parts_holding_data_urls(
    fake: FakeOpenRouter, provider: OpenRouterProvider
) -> None:
    first, second = b"\x89PNG first source", b"\xff\xd8 second source"
    call = make_call(
        inputs=(
            InputImage(data=first, file_format="png"),
            InputImage(data=second, file_format="jpeg"),
        )
    )

    finished(provider.submit(call))

    text, *images = fake.completions[0].json()["messages"][0]["content"]
    assert text == {"type": "text", "text": "a red fox in snow"}
    urls = [part["image_url"]["url"] for part in images]
    assert [part["type"] for part in images] == ["image_url", "image_url"]
    assert urls == [
        "data:image/png;base64," + base64.b64encode(first).decode(),
        "data:image/jpeg;base64," + base64.b64encode(second).decode(),
    ]


def test_a_mask_is_refused_before_any_request(
    fake: FakeOpenRouter, provider: OpenRouterProvider
) -> None:
    mask = InputImage(data=b"mask", file_format="png", slot="mask")

    error = submit_error(provider, make_call(inputs=(mask,)))

    assert (error.code, error.retryable) == ("invalid_input", False)
    assert fake.requests == []


def test_an_image_returned_as_a_url_is_downloaded_by_the_fetcher_without_the_key(
    fake: FakeOpenRouter, provider: OpenRouterProvider
) -> None:
    fake.script(answer="url")

    (output,) = finished(provider.submit(make_call())).outputs

    assert output.data is None
    assert output.url is not None
    assert output.url.startswith(f"{fake.origin}/images/")
    data = provider.fetch(output.url)
    assert data == image_png(fake.completions[0].json())
    (download,) = fake.requests_to("/images/")
    assert "authorization" not in download.headers


def test_an_expired_image_url_is_result_expired(
    fake: FakeOpenRouter, provider: OpenRouterProvider
) -> None:
    fake.script(answer="url")
    (output,) = finished(provider.submit(make_call())).outputs
    fake.script(expire_images=True)

    with pytest.raises(ProviderError) as excinfo:
        provider.fetch(output.url or "")

    assert (excinfo.value.code, excinfo.value.retryable) == ("result_expired", False)


def test_a_download_that_could_be_retried_is_not_since_the_image_was_paid_for(
    fake: FakeOpenRouter,
) -> None:
    def flaky(url: str) -> bytes:
        raise ProviderError("result_unavailable", "the result host failed", retryable=True)

    provider = open_provider(fake, fetch_result=flaky)
    with provider, pytest.raises(ProviderError) as excinfo:
        provider.fetch(f"{fake.origin}/images/x.png")

    error = provider_error(excinfo)
    assert (error.code, error.retryable) == ("result_unavailable", False)
    assert "not generated again" in error.message


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ("refusal", "I can't help with that request."),
        ("content_filter", "IMAGE_SAFETY"),
    ],
)
def test_an_answer_without_image_that_says_it_was_refused_is_moderated_at_the_output(
    fake: FakeOpenRouter, provider: OpenRouterProvider, answer: str, said: str
) -> None:
    fake.script(answer=answer)

    error = submit_error(provider)

    assert (error.code, error.retryable) == ("content_moderated", False)
    assert error.moderation is ModerationStage.OUTPUT
    assert "output" in error.message
    assert said in error.message
    assert len(fake.completions) == 1


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ("text", "I would draw a fox in the snow."),
        ("error", "provider_unavailable"),
    ],
)
def test_an_answer_without_image_for_no_stated_reason_is_no_result_and_not_retried(
    fake: FakeOpenRouter, provider: OpenRouterProvider, answer: str, said: str
) -> None:
    fake.script(answer=answer)

    error = submit_error(provider)

    assert (error.code, error.retryable) == ("no_result", False)
    assert said in error.message


def test_an_image_whose_data_url_is_not_base64_is_invalid_output(
    fake: FakeOpenRouter, provider: OpenRouterProvider
) -> None:
    fake.script(answer="bad_image")

    error = submit_error(provider)

    assert (error.code, error.retryable) == ("invalid_output", False)


def test_an_answer_larger_than_the_cap_is_result_too_large(fake: FakeOpenRouter) -> None:
    with open_provider(fake, max_image_bytes=64) as provider:
        error = submit_error(provider)

    assert (error.code, error.retryable) == ("result_too_large", False)


def test_a_403_moderation_flag_is_content_moderated_at_the_input(
    fake: FakeOpenRouter, provider: OpenRouterProvider
) -> None:
    fake.script(fail_requests=1, fail_status=403)

    error = submit_error(provider)

    assert (error.code, error.retryable, error.moderation) == ("content_moderated", False, INPUT)
    assert "input" in error.message
    assert "violence" in error.message


def test_a_400_content_policy_violation_is_content_moderated_at_the_input(
    fake: FakeOpenRouter, provider: OpenRouterProvider
) -> None:
    policy = {"error_type": "content_policy_violation", "provider_code": "IMAGE_SAFETY"}
    fake.script(fail_requests=1, fail_status=400, fail_metadata=policy)

    error = submit_error(provider)

    assert (error.code, error.retryable, error.moderation) == ("content_moderated", False, INPUT)
    assert "input" in error.message


def test_a_403_guardrail_block_is_content_moderated_at_the_input(
    fake: FakeOpenRouter, provider: OpenRouterProvider
) -> None:
    blocked = "Request blocked: prompt injection patterns detected"
    patterns = {"patterns": ["ignore all previous instructions"]}
    fake.script(fail_requests=1, fail_status=403, fail_message=blocked, fail_metadata=patterns)

    error = submit_error(provider)

    assert (error.code, error.retryable, error.moderation) == ("content_moderated", False, INPUT)
    assert "input" in error.message


@pytest.mark.parametrize(
    ("status", "message", "metadata", "code"),
    [
        (400, None, None, "invalid_input"),
        (402, None, None, "insufficient_provider_credit"),
        (403, "Key lacks permission", {"error_type": "permission_denied"}, "provider_auth"),
        (404, "No endpoints found for this model", None, "provider_error"),
    ],
)
def test_a_refusal_before_the_model_started_fails_at_once_with_its_code(
    fake: FakeOpenRouter,
    provider: OpenRouterProvider,
    status: int,
    message: str | None,
    metadata: dict[str, Any] | None,
    code: str,
) -> None:
    fake.script(fail_requests=1, fail_status=status, fail_message=message, fail_metadata=metadata)

    error = submit_error(provider)

    assert (error.code, error.retryable) == (code, False)
    assert str(status) in error.message


def test_a_wrong_key_is_provider_auth_and_the_key_never_appears(fake: FakeOpenRouter) -> None:
    wrong_key = "sk-or-v1-wrong-key-should-stay-secret"
    with open_provider(fake, api_key=wrong_key) as provider:
        with pytest.raises(ProviderError) as excinfo:
            provider.submit(make_call())

        error = provider_error(excinfo)
        assert (error.code, error.retryable) == ("provider_auth", False)
        for text in (str(error), repr(error), repr(provider)):
            assert wrong_key not in text


def test_a_key_that_openrouter_echoes_in_its_message_is_masked(
    fake: FakeOpenRouter, provider: OpenRouterProvider
) -> None:
    fake.script(fail_requests=1, fail_status=400, fail_metadata={"reasons": [API_KEY]})

    assert "***" in submit_error(provider).message


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
def test_a_429_is_rate_limited_and_retryable_after_the_given_wait(
    fake: FakeOpenRouter,
    provider: OpenRouterProvider,
    retry_after: Callable[[], str | None],
    expected: Any,
) -> None:
    fake.script(fail_requests=1, fail_status=429, retry_after=retry_after())

    error = submit_error(provider)

    assert (error.code, error.retryable, error.retry_after) == ("rate_limited", True, expected)
    assert "Rate limit exceeded" in error.message
    finished(provider.submit(make_call()))


@pytest.mark.parametrize("status", [408, 502, 503])
def test_a_model_that_did_not_start_is_provider_unavailable_and_retryable(
    fake: FakeOpenRouter, provider: OpenRouterProvider, status: int
) -> None:
    fake.script(fail_requests=1, fail_status=status, retry_after="4")

    error = submit_error(provider)

    assert (error.code, error.retryable, error.retry_after) == ("provider_unavailable", True, 4.0)
    finished(provider.submit(make_call()))
    assert len(fake.completions) == 2


@pytest.mark.parametrize(
    ("status", "as_json"),
    [(500, True), (504, True), (502, False), (504, False), (524, False)],
    ids=["500", "504", "gateway-502", "gateway-504", "gateway-524"],
)
def test_a_server_error_that_may_have_cut_off_a_billed_image_is_an_unknown_outcome(
    fake: FakeOpenRouter, provider: OpenRouterProvider, status: int, as_json: bool
) -> None:
    fake.script(fail_requests=ALWAYS, fail_status=status, fail_json=as_json)

    error = submit_error(provider)

    assert (error.code, error.retryable) == ("submit_outcome_unknown", False)
    assert str(status) in error.message


def test_a_timeout_after_the_request_was_received_is_an_unknown_outcome_not_retryable(
    fake: FakeOpenRouter,
) -> None:
    fake.script(answer_delay=2.0)

    with open_provider(fake, timeout=0.3) as provider:
        error = submit_error(provider)

    assert (error.code, error.retryable) == ("submit_outcome_unknown", False)
    assert len(fake.completions) == 1  # OpenRouter got it, and may be making the image


def test_a_refused_connection_is_provider_unavailable_and_retryable() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound but not listening: connections are refused
        port = closed.getsockname()[1]
        base_url = f"http://127.0.0.1:{port}/api/v1"
        provider = OpenRouterProvider(
            api_key=API_KEY, fetch_result=fetch_loopback, base_url=base_url
        )
        with provider, pytest.raises(ProviderError) as excinfo:
            provider.submit(make_call())

    error = provider_error(excinfo)
    assert (error.code, error.retryable) == ("provider_unavailable", True)


def test_there_is_no_task_to_poll(provider: OpenRouterProvider) -> None:
    with pytest.raises(ProviderError) as excinfo:
        provider.poll("gen-1", None)

    assert (excinfo.value.code, excinfo.value.retryable) == ("provider_task_not_found", False)


def test_a_client_passed_in_is_used_and_left_open(fake: FakeOpenRouter) -> None:
    with httpx.Client() as client:
        with open_provider(fake, client=client) as provider:
            finished(provider.submit(make_call()))
        assert not client.is_closed


def test_the_same_request_gives_the_same_image_bytes(
    fake: FakeOpenRouter, provider: OpenRouterProvider
) -> None:
    def image(call: ProviderCall) -> bytes | None:
        return finished(provider.submit(call)).outputs[0].data

    first, second, other = image(make_call()), image(make_call()), image(make_call(seed=43))

    assert first == second
    assert other != first
