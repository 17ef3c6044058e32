"""How ReplicateProvider reads each end of a prediction on the fake, and how it cancels one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from genmedia.adapters.providers.replicate import ReplicateProvider
from genmedia.application.errors import ProviderError
from genmedia.domain.moderation import ModerationStage
from tests.integration.downloads import LoopbackDownloads
from tests.integration.fake_replicate import NSFW_INPUT, NSFW_OUTPUT, FakeReplicate
from tests.integration.fake_replicate_server import fake_replicate_server
from tests.integration.replicate_support import (
    caught,
    finished,
    make_call,
    poll_error,
    poll_until_done,
    replicate,
    waiting,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def fake() -> Iterator[FakeReplicate]:
    with fake_replicate_server(starting_polls=1, processing_polls=1) as server:
        yield server


@pytest.fixture
def downloads() -> LoopbackDownloads:
    return LoopbackDownloads()


@pytest.fixture
def provider(fake: FakeReplicate, downloads: LoopbackDownloads) -> Iterator[ReplicateProvider]:
    with replicate(fake, downloads) as gateway:
        yield gateway


def ending_in(fake: FakeReplicate, provider: ReplicateProvider, **script: object) -> ProviderError:
    """The error a new prediction scripted so ends in, after it started and ran."""
    fake.script(**script)
    return poll_error(provider, waiting(provider.submit(make_call())))


@pytest.mark.parametrize(
    ("error", "stage", "named"),
    [
        (NSFW_OUTPUT, "the generated output", ModerationStage.OUTPUT),
        (NSFW_INPUT, "the prompt or input image", ModerationStage.INPUT),
    ],
    ids=["output", "input"],
)
def test_a_prediction_failed_by_a_safety_checker_is_content_moderated_naming_the_stage(
    fake: FakeReplicate, provider: ReplicateProvider, error: str, stage: str, named: ModerationStage
) -> None:
    moderated = ending_in(fake, provider, final_status="failed", error=error)

    assert (moderated.code, moderated.retryable) == ("content_moderated", False)
    assert moderated.moderation is named
    assert moderated.message.startswith(stage + " was blocked")
    assert error in moderated.message


def test_a_failed_prediction_is_a_provider_error_with_the_models_error(
    fake: FakeReplicate, provider: ReplicateProvider
) -> None:
    failed = ending_in(fake, provider, final_status="failed", error="CUDA out of memory")

    assert (failed.code, failed.retryable) == ("provider_error", False)
    assert failed.message == "the model failed: CUDA out of memory"


@pytest.mark.parametrize("status", ["canceled", "aborted"])
def test_a_prediction_replicate_stopped_is_provider_cancelled(
    fake: FakeReplicate, provider: ReplicateProvider, status: str
) -> None:
    stopped = ending_in(fake, provider, final_status=status)

    assert (stopped.code, stopped.retryable) == ("provider_cancelled", False)
    assert "Cancel-After" in stopped.message


def test_an_unknown_status_is_a_failure_that_quotes_the_answer(
    fake: FakeReplicate, provider: ReplicateProvider
) -> None:
    unknown = ending_in(fake, provider, final_status="reticulating")

    assert (unknown.code, unknown.retryable) == ("provider_error", False)
    assert '"status": "reticulating"' in unknown.message


def test_a_prediction_replicate_does_not_know_is_provider_task_not_found(
    fake: FakeReplicate, provider: ReplicateProvider
) -> None:
    lost = ending_in(fake, provider, forget_predictions=True)

    assert (lost.code, lost.retryable) == ("provider_task_not_found", False)


def test_an_output_replicate_already_removed_is_result_expired(
    fake: FakeReplicate, provider: ReplicateProvider
) -> None:
    removed = ending_in(fake, provider, data_removed=True)

    assert (removed.code, removed.retryable) == ("result_expired", False)


def test_a_success_without_any_output_is_no_result(
    fake: FakeReplicate, provider: ReplicateProvider
) -> None:
    empty = ending_in(fake, provider, outputs=0)

    assert (empty.code, empty.retryable) == ("no_result", False)


@pytest.mark.parametrize("status", [403, 404, 410])
def test_an_output_url_that_expired_before_download_is_result_expired(
    fake: FakeReplicate, provider: ReplicateProvider, status: int
) -> None:
    fake.script(expire_outputs=True, expired_status=status)
    done = poll_until_done(provider, waiting(provider.submit(make_call())))

    with pytest.raises(ProviderError) as excinfo:
        provider.fetch(done.outputs[0].url or "")

    assert (caught(excinfo).code, excinfo.value.retryable) == ("result_expired", False)


def test_a_cancel_posts_to_urls_cancel_and_the_next_poll_sees_it_canceled(
    fake: FakeReplicate, provider: ReplicateProvider
) -> None:
    handle = waiting(provider.submit(make_call()))

    provider.cancel(handle.task_id, handle.polling_url)

    (cancel,) = fake.requests_to(f"/v1/predictions/{handle.task_id}/cancel")
    assert cancel.method == "POST"
    assert poll_error(provider, handle).code == "provider_cancelled"


def test_urls_outside_replicate_are_not_sent_the_token_and_its_own_paths_are_used(
    fake: FakeReplicate, provider: ReplicateProvider
) -> None:
    handle = waiting(provider.submit(make_call()))
    elsewhere = '{"get":"https://collector.example/x","cancel":"http://169.254.169.254/c"}'

    waiting(provider.poll(handle.task_id, elsewhere))
    provider.cancel(handle.task_id, elsewhere)

    own = f"/v1/predictions/{handle.task_id}"
    assert [r.path for r in fake.requests_to("/v1/predictions/")] == [own, own + "/cancel"]


@pytest.mark.parametrize("polling_url", [None, "plain"], ids=["none", "a-plain-url"])
def test_a_handle_without_the_json_urls_is_polled_at_the_predictions_own_path(
    fake: FakeReplicate, provider: ReplicateProvider, polling_url: str | None
) -> None:
    handle = waiting(provider.submit(make_call()))
    kept = None if polling_url is None else f"{fake.base_url}/v1/predictions/{handle.task_id}"

    finished(poll_until_done(provider, waiting(provider.poll(handle.task_id, kept))))

    assert fake.prediction(handle.task_id).polls == 3


def test_a_task_id_that_is_no_prediction_id_is_not_found_without_a_request(
    fake: FakeReplicate, provider: ReplicateProvider
) -> None:
    with pytest.raises(ProviderError) as excinfo:
        provider.poll("../../v1/account", None)

    assert caught(excinfo).code == "provider_task_not_found"
    assert fake.requests == []
