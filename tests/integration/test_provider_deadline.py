"""The job's deadline bounds each provider's calls and downloads, against the loopback fakes
(issue #18): a call begun with no time left sends nothing, one that would outlast the
deadline ends with it, and Replicate is told to cancel the prediction by then."""

from __future__ import annotations

import pytest

from genmedia.adapters.providers.bfl import BflProvider
from genmedia.adapters.providers.delivery import Delivery
from genmedia.application.errors import ProviderError
from genmedia.application.ports.work_deadline import seconds_left, work_until
from tests.integration import test_bfl_provider as bfl_calls
from tests.integration import test_openrouter_provider as openrouter_calls
from tests.integration.downloads import LoopbackDownloads
from tests.integration.fake_bfl import API_KEY, fake_bfl_server
from tests.integration.fake_openrouter import fake_openrouter_server
from tests.integration.fake_replicate_server import fake_replicate_server
from tests.integration.replicate_support import make_call, replicate

pytestmark = pytest.mark.integration


def bfl(base_url: str, delivery: Delivery) -> BflProvider:
    return BflProvider(
        api_key=API_KEY, base_url=base_url, timeout=30.0, fetch_result=delivery.fetch
    )


def test_a_call_begun_after_the_deadline_sends_nothing_and_is_deadline_exceeded() -> None:
    with (
        fake_bfl_server() as fake,
        Delivery(max_bytes=1024, timeout=5.0, allow_private=True) as delivery,
        bfl(fake.base_url, delivery) as provider,
        work_until(-1),
        pytest.raises(ProviderError) as excinfo,
    ):
        provider.submit(bfl_calls.make_call())
    assert excinfo.value.code == "deadline_exceeded"
    assert fake.requests == []


def test_a_submit_that_would_outlast_the_deadline_ends_with_it_as_an_unknown_outcome() -> None:
    # The fake creates the task, then answers 5 s later; the call's own timeout is 30 s.
    with (
        fake_bfl_server(submit_delay=5.0) as fake,
        Delivery(max_bytes=1024, timeout=5.0, allow_private=True) as delivery,
        bfl(fake.base_url, delivery) as provider,
    ):
        with work_until(0.3), pytest.raises(ProviderError) as excinfo:
            provider.submit(bfl_calls.make_call())
        ended_with = excinfo.value.code
        created = fake.task_ids
    assert ended_with == "submit_outcome_unknown"  # the task may exist: never resent
    assert len(created) == 1


def test_a_download_begun_after_the_deadline_is_deadline_exceeded() -> None:
    with (
        Delivery(max_bytes=1024, timeout=5.0, allow_private=True) as delivery,
        work_until(0),
        pytest.raises(ProviderError) as excinfo,
    ):
        delivery.fetch("http://127.0.0.1:9/never-reached.png")
    assert excinfo.value.code == "deadline_exceeded"


def test_an_openrouter_call_begun_after_the_deadline_sends_nothing() -> None:
    with (
        fake_openrouter_server() as fake,
        openrouter_calls.open_provider(fake) as provider,
        work_until(-1),
        pytest.raises(ProviderError) as excinfo,
    ):
        provider.submit(openrouter_calls.make_call())
    assert excinfo.value.code == "deadline_exceeded"
    assert fake.requests == []


def test_replicate_is_told_to_cancel_the_prediction_by_the_jobs_deadline() -> None:
    with fake_replicate_server() as fake:
        with replicate(fake, LoopbackDownloads(), cancel_after=5400.0) as provider:
            with work_until(90):
                provider.submit(make_call())
                assert (seconds_left() or 0) > 0
            provider.submit(make_call())
        first, second = fake.requests_to("/v1/models/")
    assert first.headers["cancel-after"] == "1m30s"  # the job's 90 s, not the 1h30m setting
    assert second.headers["cancel-after"] == "1h30m"
