"""Shared pieces of the ReplicateProvider tests: a call, the provider, outcome checks."""

from __future__ import annotations

from typing import Any

import pytest

from genmedia.adapters.providers.replicate import ReplicateProvider
from genmedia.application.errors import ProviderError
from genmedia.application.ports import Finished, Outcome, ProviderCall, Waiting
from tests.integration.downloads import LoopbackDownloads
from tests.integration.fake_replicate import API_KEY, MODEL, FakeReplicate


def make_call(**changes: Any) -> ProviderCall:
    fields: dict[str, Any] = {
        "job_id": 7,
        "model": MODEL,
        "endpoint": None,
        "prompt": "a red fox in snow",
        "negative_prompt": None,
        "params": {"aspect_ratio": "1:1", "output_format": "png", "go_fast": None},
        "seed": 42,
    }
    return ProviderCall(**(fields | changes))


def replicate(
    fake: FakeReplicate, downloads: LoopbackDownloads, **options: Any
) -> ReplicateProvider:
    """A provider on the fake, its results downloaded by `downloads`."""
    settings: dict[str, Any] = {"api_key": API_KEY, "base_url": fake.base_url, "timeout": 5.0}
    return ReplicateProvider(fetch_result=downloads, **(settings | options))


def waiting(outcome: Outcome) -> Waiting:
    assert isinstance(outcome, Waiting), outcome
    return outcome


def finished(outcome: Outcome) -> Finished:
    assert isinstance(outcome, Finished), outcome
    return outcome


def caught(excinfo: pytest.ExceptionInfo[ProviderError]) -> ProviderError:
    """The error caught, checked as `checked` does."""
    return checked(excinfo.value)


def checked(error: ProviderError) -> ProviderError:
    """The error, after checking it keeps no httpx exception (whose request holds the key)."""
    assert error.__cause__ is None
    assert error.__context__ is None
    for text in (str(error), repr(error), error.message):
        assert API_KEY not in text
    return error


def submit_error(provider: ReplicateProvider, call: ProviderCall | None = None) -> ProviderError:
    with pytest.raises(ProviderError) as excinfo:
        provider.submit(call or make_call())
    return caught(excinfo)


def poll_error(provider: ReplicateProvider, handle: Waiting, limit: int = 10) -> ProviderError:
    """The error polling the prediction ends in."""
    for _ in range(limit):
        try:
            provider.poll(handle.task_id, handle.polling_url)
        except ProviderError as error:
            return checked(error)
    raise AssertionError(f"no error after {limit} polls")


def poll_until_done(provider: ReplicateProvider, handle: Waiting, limit: int = 10) -> Finished:
    for _ in range(limit):
        outcome = provider.poll(handle.task_id, handle.polling_url)
        if isinstance(outcome, Finished):
            return outcome
    raise AssertionError(f"still waiting after {limit} polls")
