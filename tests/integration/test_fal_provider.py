"""FalProvider against a fake fal queue API on a loopback port: submit, status, result,
cancel and every failure."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from genmedia.adapters.providers.fal import FalProvider
from genmedia.application.errors import ProviderError
from genmedia.application.ports import Finished, InputImage, Outcome, ProviderCall, Waiting
from genmedia.domain.moderation import ModerationStage
from genmedia.domain.provider_cost import CostUnit, ProviderCost
from tests.integration.fake_fal import ALWAYS, API_KEY, BILLABLE_UNITS, FakeFal, fake_fal_server
from tests.integration.loopback_download import loopback_download

pytestmark = pytest.mark.integration

MODEL = "fal-ai/flux/dev"
APP = "fal-ai/flux"
MODERATION_DETAIL = [
    {
        "loc": ["body", "prompt"],
        "msg": "flagged by a content checker",
        "type": "content_policy_violation",
    }
]


def make_call(**changes: Any) -> ProviderCall:
    fields: dict[str, Any] = {
        "job_id": 7,
        "model": MODEL,
        "endpoint": None,
        "prompt": "a red fox in snow",
        "negative_prompt": None,
        "params": {"image_size": "landscape_4_3", "num_inference_steps": 28},
        "seed": 42,
    }
    return ProviderCall(**(fields | changes))


@pytest.fixture
def fake() -> Iterator[FakeFal]:
    with fake_fal_server() as server:
        yield server


@pytest.fixture
def provider(fake: FakeFal) -> Iterator[FalProvider]:
    with FalProvider(
        api_key=API_KEY, base_url=fake.base_url, timeout=5.0, fetch_result=loopback_download
    ) as fal:
        yield fal


def waiting(outcome: Outcome) -> Waiting:
    assert isinstance(outcome, Waiting), outcome
    return outcome


def finished(outcome: Outcome) -> Finished:
    assert isinstance(outcome, Finished), outcome
    return outcome


def checked(error: ProviderError) -> ProviderError:
    """The error, after checking it keeps no httpx exception (whose request holds the key)
    and shows no part of the key."""
    assert error.__cause__ is None
    assert error.__context__ is None
    for text in (str(error), repr(error), error.message):
        assert API_KEY not in text
        assert all(part not in text for part in API_KEY.split(":"))
    return error


def raised(step: Callable[[], object]) -> ProviderError:
    with pytest.raises(ProviderError) as excinfo:
        step()
    return checked(excinfo.value)


def submit_error(provider: FalProvider, call: ProviderCall | None = None) -> ProviderError:
    return raised(lambda: provider.submit(call or make_call()))


def poll_until_done(provider: FalProvider, handle: Waiting, limit: int = 10) -> Finished:
    for _ in range(limit):
        outcome = provider.poll(handle.task_id, handle.polling_url)
        if isinstance(outcome, Finished):
            return outcome
    raise AssertionError(f"still waiting after {limit} polls")


def poll_error(provider: FalProvider, handle: Waiting) -> ProviderError:
    return raised(lambda: poll_until_done(provider, handle))


def test_a_request_is_queued_polled_through_queue_and_progress_then_its_image_fetched(
    fake: FakeFal, provider: FalProvider
) -> None:
    handle = waiting(provider.submit(make_call()))

    assert fake.request_ids == [handle.task_id]
    assert json.loads(handle.polling_url or "") == {
        "app": APP,
        "status_url": fake.request_url(APP, handle.task_id, "/status"),
        "response_url": fake.request_url(APP, handle.task_id),
        "cancel_url": fake.request_url(APP, handle.task_id, "/cancel"),
    }
    assert provider.poll(handle.task_id, handle.polling_url) == handle  # IN_QUEUE
    assert provider.poll(handle.task_id, handle.polling_url) == handle  # IN_PROGRESS
    done = finished(provider.poll(handle.task_id, handle.polling_url))
    (output,) = done.outputs
    assert output.url == fake.file_url(handle.task_id)
    assert provider.fetch(output.url) == fake.file_bytes(handle.task_id)
    assert done.provider_cost == ProviderCost(float(BILLABLE_UNITS), CostUnit.FAL_BILLABLE_UNITS)
    assert done.metadata == {
        "request_id": handle.task_id,
        "seed": 42,
        "inference_time": 0.42,
    }
    statuses = [r for r in fake.http if r.path.endswith("/status")]
    assert [r.query for r in statuses] == [{"logs": ["0"]}] * 3


def test_the_submit_goes_to_the_endpoint_id_with_fals_input_names(
    fake: FakeFal, provider: FalProvider
) -> None:
    params = {
        "width": 1024,
        "height": 768,
        "steps": 20,
        "guidance": 3.5,
        "output_format": "JPG",
        "enable_safety_checker": True,
        "acceleration": None,
    }

    provider.submit(make_call(params=params, negative_prompt="blurry"))

    (submit,) = fake.submits
    assert submit.path == "/fal-ai/flux/dev"
    assert submit.headers["content-type"] == "application/json"
    assert submit.json() == {
        "prompt": "a red fox in snow",
        "seed": 42,
        "negative_prompt": "blurry",
        "image_size": {"width": 1024, "height": 768},
        "num_inference_steps": 20,
        "guidance_scale": 3.5,
        "output_format": "jpeg",
        "enable_safety_checker": True,
    }


def test_an_aspect_ratio_becomes_fals_size_preset_unless_an_image_size_is_given(
    fake: FakeFal, provider: FalProvider
) -> None:
    provider.submit(make_call(params={"aspect_ratio": "9:16"}))
    provider.submit(make_call(params={"aspect_ratio": "9:16", "image_size": "square"}))

    first, second = (r.json()["image_size"] for r in fake.submits)
    assert (first, second) == ("portrait_16_9", "square")


def test_input_images_go_as_data_uris_and_a_mask_as_mask_url(
    fake: FakeFal, provider: FalProvider
) -> None:
    inputs = (
        InputImage(data=b"source", file_format="jpg"),
        InputImage(data=b"mask", file_format="png", slot="mask"),
    )

    provider.submit(make_call(model="fal-ai/flux/dev/image-to-image", inputs=inputs))

    body = fake.submits[0].json()
    assert body["image_url"] == "data:image/jpeg;base64," + base64.b64encode(b"source").decode()
    assert body["mask_url"] == "data:image/png;base64," + base64.b64encode(b"mask").decode()
    assert fake.submits[0].path == "/fal-ai/flux/dev/image-to-image"


@pytest.mark.parametrize("model", ["flux-dev", "../fal-ai/flux", "fal-ai/flux?x=1", "fal-ai//dev"])
def test_a_model_that_is_not_a_fal_endpoint_id_is_refused_before_any_request(
    fake: FakeFal, provider: FalProvider, model: str
) -> None:
    error = submit_error(provider, make_call(model=model))

    assert (error.code, error.retryable) == ("invalid_input", False)
    assert fake.http == []


def test_the_key_goes_in_the_authorization_header_of_api_calls_and_never_to_the_file_url(
    fake: FakeFal, provider: FalProvider
) -> None:
    handle = waiting(provider.submit(make_call()))
    done = poll_until_done(provider, handle)
    provider.fetch(done.outputs[0].url or "")

    api_calls = [r for r in fake.http if not r.path.startswith("/files/")]
    assert len(api_calls) == 5  # submit, three statuses, the result
    assert {r.headers["authorization"] for r in api_calls} == {f"Key {API_KEY}"}
    (download,) = [r for r in fake.http if r.path.startswith("/files/")]
    assert "authorization" not in download.headers
    assert API_KEY not in repr(provider)


def test_results_are_downloaded_only_through_the_injected_downloader(fake: FakeFal) -> None:
    fetched: list[str] = []

    def recording(url: str) -> bytes:
        fetched.append(url)
        return b"bytes of " + url.encode()

    with FalProvider(api_key=API_KEY, base_url=fake.base_url, fetch_result=recording) as fal:
        done = poll_until_done(fal, waiting(fal.submit(make_call())))
        data = fal.fetch(done.outputs[0].url or "")

    assert fetched == [fake.file_url(fake.request_ids[0])]
    assert data == b"bytes of " + fetched[0].encode()
    assert not [r for r in fake.http if r.path.startswith("/files/")]


def test_a_wrong_key_is_provider_auth_and_never_appears_in_the_error(fake: FakeFal) -> None:
    wrong = "wrong-key-id:wrong-secret-never-shown"
    with FalProvider(api_key=wrong, base_url=fake.base_url, fetch_result=loopback_download) as fal:
        error = submit_error(fal)

    assert (error.code, error.retryable) == ("provider_auth", False)
    assert "wrong-secret-never-shown" not in str(error)


def test_a_key_fal_echoes_in_its_detail_is_masked_even_where_the_detail_is_cut(
    fake: FakeFal, provider: FalProvider
) -> None:
    secret = API_KEY.split(":")[1]
    fake.script(fail_submits=2, fail_status=422, fail_detail=f"bad key {secret}")

    assert "bad key ***" in submit_error(provider).message
    fake.script(fail_submits=1, fail_status=422, fail_detail="x" * 390 + API_KEY)
    assert API_KEY[:10] not in submit_error(provider).message


def http_date_in(seconds: int) -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds), usegmt=True)


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        (lambda: None, None),
        (lambda: "7", 7.0),
        (lambda: http_date_in(120), pytest.approx(120, abs=2)),
        (lambda: http_date_in(-60), 0.0),
        (lambda: "soon", None),
    ],
    ids=["no-header", "seconds", "http-date", "http-date-past", "unreadable"],
)
def test_a_429_is_rate_limited_with_the_retry_after_in_seconds_or_as_an_http_date(
    fake: FakeFal,
    provider: FalProvider,
    retry_after: Callable[[], str | None],
    expected: Any,
) -> None:
    fake.script(fail_submits=1, fail_status=429, retry_after=retry_after())

    error = submit_error(provider)

    assert (error.code, error.retryable, error.retry_after) == ("rate_limited", True, expected)
    assert fake.request_ids == []


def test_an_ingress_503_without_a_request_id_is_retryable_and_a_second_submit_queues_once(
    fake: FakeFal, provider: FalProvider
) -> None:
    fake.script(fail_submits=1, fail_status=503, retry_after="2")

    error = submit_error(provider)
    handle = waiting(provider.submit(make_call()))

    assert (error.code, error.retryable, error.retry_after) == ("provider_unavailable", True, 2.0)
    assert fake.request_ids == [handle.task_id]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_server_error_after_the_request_was_queued_is_an_unknown_outcome_never_resent(
    fake: FakeFal, provider: FalProvider, status: int
) -> None:
    fake.script(fail_submits_after_queueing=ALWAYS, fail_status=status)

    error = submit_error(provider)

    assert (error.code, error.retryable) == ("submit_outcome_unknown", False)
    assert str(status) in error.message
    assert len(fake.request_ids) == len(fake.submits) == 1


def test_a_500_on_submit_is_an_unknown_outcome_even_without_a_request_id(
    fake: FakeFal, provider: FalProvider
) -> None:
    fake.script(fail_submits=1, fail_status=500)

    assert submit_error(provider).code == "submit_outcome_unknown"


def test_a_read_timeout_on_submit_is_an_unknown_outcome_and_the_request_exists(
    fake: FakeFal,
) -> None:
    fake.script(submit_delay=2.0)

    with FalProvider(
        api_key=API_KEY, base_url=fake.base_url, timeout=0.3, fetch_result=loopback_download
    ) as fal:
        error = submit_error(fal)

    assert (error.code, error.retryable) == ("submit_outcome_unknown", False)
    assert len(fake.request_ids) == 1


def test_a_402_is_insufficient_provider_credit(fake: FakeFal, provider: FalProvider) -> None:
    fake.script(fail_submits=1, fail_status=402, fail_detail="Insufficient balance")

    error = submit_error(provider)

    assert (error.code, error.retryable) == ("insufficient_provider_credit", False)


def test_a_403_for_a_locked_balance_is_insufficient_provider_credit_and_others_are_auth(
    fake: FakeFal, provider: FalProvider
) -> None:
    fake.script(
        fail_submits=1, fail_status=403, fail_detail="User is locked. Reason: Exhausted balance."
    )
    locked = submit_error(provider)
    fake.script(fail_submits=1, fail_status=403, fail_detail="Forbidden")
    forbidden = submit_error(provider)

    assert (locked.code, forbidden.code) == ("insufficient_provider_credit", "provider_auth")


def test_a_submit_refused_by_fals_content_policy_is_input_moderation(
    fake: FakeFal, provider: FalProvider
) -> None:
    fake.script(fail_submits=1, fail_status=422, fail_detail=MODERATION_DETAIL)

    error = submit_error(provider)

    assert (error.code, error.retryable) == ("content_moderated", False)
    assert error.moderation is ModerationStage.INPUT
    assert "input" in error.message
    assert "body.prompt: flagged by a content checker" in error.message


def test_a_422_without_a_policy_type_is_invalid_input(fake: FakeFal, provider: FalProvider) -> None:
    detail = [
        {"loc": ["body", "num_images"], "msg": "must be at most 4", "type": "less_than_equal"}
    ]
    fake.script(fail_submits=1, fail_status=422, fail_detail=detail)

    error = submit_error(provider)

    assert (error.code, error.retryable) == ("invalid_input", False)
    assert "body.num_images: must be at most 4" in error.message


def test_a_request_completed_with_a_content_policy_error_is_input_moderation(
    fake: FakeFal, provider: FalProvider
) -> None:
    fake.script(outcome="input_moderated")

    error = poll_error(provider, waiting(provider.submit(make_call())))

    assert (error.code, error.retryable) == ("content_moderated", False)
    assert error.moderation is ModerationStage.INPUT
    assert "input" in error.message
    assert "flagged by a content checker" in error.message


def test_an_image_flagged_in_has_nsfw_concepts_is_output_moderation(
    fake: FakeFal, provider: FalProvider
) -> None:
    fake.script(outcome="nsfw")

    error = poll_error(provider, waiting(provider.submit(make_call())))

    assert (error.code, error.retryable) == ("content_moderated", False)
    assert error.moderation is ModerationStage.OUTPUT
    assert "generated image" in error.message
    assert "has_nsfw_concepts" in error.message


def test_a_request_completed_with_a_timeout_error_is_provider_unavailable_not_retried(
    fake: FakeFal, provider: FalProvider
) -> None:
    fake.script(outcome="error")

    error = poll_error(provider, waiting(provider.submit(make_call())))

    assert (error.code, error.retryable) == ("provider_unavailable", False)
    assert "Request timed out" in error.message


def test_a_request_that_generated_no_media_is_no_result(
    fake: FakeFal, provider: FalProvider
) -> None:
    fake.script(outcome="no_media")

    error = poll_error(provider, waiting(provider.submit(make_call())))

    assert (error.code, error.retryable) == ("no_result", False)


def test_an_unknown_status_is_a_failure_that_keeps_fals_answer(
    fake: FakeFal, provider: FalProvider
) -> None:
    fake.script(outcome="RETICULATING")

    error = poll_error(provider, waiting(provider.submit(make_call())))

    assert (error.code, error.retryable) == ("provider_error", False)
    assert '"status": "RETICULATING"' in error.message
    assert fake.request_ids[0] in error.message


def test_a_request_fal_does_not_know_is_provider_task_not_found(
    fake: FakeFal, provider: FalProvider
) -> None:
    handle = waiting(provider.submit(make_call()))
    fake.script(forget_requests=True)

    error = raised(lambda: provider.poll(handle.task_id, handle.polling_url))

    assert (error.code, error.retryable) == ("provider_task_not_found", False)


@pytest.mark.parametrize(
    ("status", "code"),
    [(429, "rate_limited"), (500, "provider_unavailable"), (503, "provider_unavailable")],
)
def test_a_status_poll_answered_429_or_5xx_is_retryable(
    fake: FakeFal, provider: FalProvider, status: int, code: str
) -> None:
    handle = waiting(provider.submit(make_call()))
    fake.script(fail_polls=1, fail_status=status, retry_after="1")

    error = raised(lambda: provider.poll(handle.task_id, handle.polling_url))

    assert (error.code, error.retryable, error.retry_after) == (code, True, 1.0)
    assert isinstance(provider.poll(handle.task_id, handle.polling_url), Waiting)


def test_an_expired_result_file_is_result_expired(fake: FakeFal, provider: FalProvider) -> None:
    done = poll_until_done(provider, waiting(provider.submit(make_call())))
    fake.script(expire_files=True)

    error = raised(lambda: provider.fetch(done.outputs[0].url or ""))

    assert (error.code, error.retryable) == ("result_expired", False)


def test_cancel_puts_to_the_cancel_url_and_a_finished_or_unknown_request_is_no_error(
    fake: FakeFal, provider: FalProvider
) -> None:
    running = waiting(provider.submit(make_call()))
    done = waiting(provider.submit(make_call()))
    poll_until_done(provider, done)

    provider.cancel(running.task_id, running.polling_url)
    provider.cancel(done.task_id, done.polling_url)
    fake.script(forget_requests=True)
    provider.cancel(running.task_id, running.polling_url)

    cancels = [r for r in fake.http if r.method == "PUT"]
    assert [r.path for r in cancels] == [
        f"/{APP}/requests/{running.task_id}/cancel",
        f"/{APP}/requests/{done.task_id}/cancel",
        f"/{APP}/requests/{running.task_id}/cancel",
    ]
    assert (fake.cancelled(running.task_id), fake.cancelled(done.task_id)) == (True, False)


def test_a_submit_answer_without_urls_is_polled_at_the_apps_request_paths(
    fake: FakeFal, provider: FalProvider
) -> None:
    fake.script(omit_urls=True)
    handle = waiting(provider.submit(make_call()))

    assert json.loads(handle.polling_url or "") == {"app": APP}
    poll_until_done(provider, handle)
    assert fake.http[-1].path == f"/{APP}/requests/{handle.task_id}"


def test_a_url_outside_fals_hosts_is_never_sent_the_key(
    fake: FakeFal, provider: FalProvider
) -> None:
    handle = waiting(provider.submit(make_call()))
    planted = json.dumps({"app": APP, "status_url": "https://collector.example/status"})

    assert isinstance(provider.poll(handle.task_id, planted), Waiting)

    assert fake.http[-1].path == f"/{APP}/requests/{handle.task_id}/status"


@pytest.mark.parametrize("polling_url", [None, "", "https://queue.fal.run/x/status", "[1]"])
def test_a_job_without_a_readable_handle_is_a_provider_error(
    fake: FakeFal, provider: FalProvider, polling_url: str | None
) -> None:
    error = raised(lambda: provider.poll("some-id", polling_url))

    assert (error.code, error.retryable) == ("provider_error", False)
    assert fake.http == []


def test_a_refused_connection_is_provider_unavailable_and_retryable() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound but not listening: connections are refused
        base = f"http://127.0.0.1:{closed.getsockname()[1]}"
        with FalProvider(api_key=API_KEY, base_url=base, fetch_result=loopback_download) as fal:
            errors = [
                raised(lambda: fal.submit(make_call())),
                raised(lambda: fal.poll("id", json.dumps({"app": APP}))),
            ]

    assert {(e.code, e.retryable) for e in errors} == {("provider_unavailable", True)}


def test_a_client_passed_in_is_used_and_left_open(fake: FakeFal) -> None:
    with httpx.Client() as client:
        with FalProvider(
            api_key=API_KEY, base_url=fake.base_url, client=client, fetch_result=loopback_download
        ) as fal:
            waiting(fal.submit(make_call()))
        assert not client.is_closed


def test_a_webhook_url_is_passed_on_the_submit_as_fal_webhook(fake: FakeFal) -> None:
    hook = "https://genmedia.example/v1/webhooks/fal?x=1"
    with FalProvider(
        api_key=API_KEY, base_url=fake.base_url, fetch_result=loopback_download
    ) as fal:
        fal.submit(make_call(webhook_url=hook))

    (submit,) = fake.submits
    assert (submit.path, submit.query) == ("/fal-ai/flux/dev", {"fal_webhook": [hook]})
