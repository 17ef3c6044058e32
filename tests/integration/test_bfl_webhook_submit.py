"""A BFL submit names our webhook only when a webhook secret is set (providers.md §1.8)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from genmedia.adapters.providers.bfl import BflProvider
from genmedia.application.ports import ProviderCall
from tests.integration.fake_bfl import API_KEY, FakeBfl, fake_bfl_server

pytestmark = pytest.mark.integration

HOOK = "https://api.example.com/v1/webhooks/bfl"


def unused_download(url: str) -> bytes:
    raise AssertionError(f"nothing is downloaded here: {url}")


def call(webhook_url: str | None) -> ProviderCall:
    return ProviderCall(
        job_id=7,
        model="flux-dev",
        endpoint=None,
        prompt="a red fox in snow",
        negative_prompt=None,
        params={"width": 512, "height": 512},
        seed=42,
        webhook_url=webhook_url,
    )


@pytest.fixture
def fake() -> Iterator[FakeBfl]:
    with fake_bfl_server() as server:
        yield server


def test_a_submit_names_the_webhook_and_its_secret_when_both_are_set(fake: FakeBfl) -> None:
    with BflProvider(
        api_key=API_KEY,
        base_url=fake.base_url,
        webhook_secret="whk-1",
        fetch_result=unused_download,
    ) as bfl:
        assert bfl.accepts_webhooks
        bfl.submit(call(HOOK))
    (submit,) = fake.requests_to("/v1/flux-dev")
    assert (submit.json()["webhook_url"], submit.json()["webhook_secret"]) == (HOOK, "whk-1")


@pytest.mark.parametrize(("secret", "hook"), [(None, HOOK), ("whk-1", None)])
def test_a_submit_names_no_webhook_without_a_secret_or_a_url(
    fake: FakeBfl, secret: str | None, hook: str | None
) -> None:
    with BflProvider(
        api_key=API_KEY, base_url=fake.base_url, webhook_secret=secret, fetch_result=unused_download
    ) as bfl:
        assert bfl.accepts_webhooks is bool(secret)
        bfl.submit(call(hook))
    (submit,) = fake.requests_to("/v1/flux-dev")
    assert "webhook_url" not in submit.json()
    assert "webhook_secret" not in submit.json()
