"""The container registers Replicate only with a key, from the GENMEDIA_REPLICATE_* settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from genmedia import Settings, build_container
from tests.integration.fake_replicate import API_KEY, WEBHOOK_SECRET, FakeReplicate
from tests.integration.fake_replicate_server import fake_replicate_server
from tests.integration.replicate_support import make_call, waiting

pytestmark = pytest.mark.integration


@pytest.fixture
def fake() -> Iterator[FakeReplicate]:
    with fake_replicate_server() as server:
        yield server


def test_without_a_key_replicate_is_not_registered_yet_its_sample_model_is_seeded(
    sqlite_url: str, tmp_path: Path
) -> None:
    app = build_container(Settings(home=tmp_path, database_url=sqlite_url))
    try:
        app.seed_catalog()
        with app.uow() as uow:
            model = uow.provider_models.get_by_slug("black-forest-labs/flux-schnell")
        assert "replicate" not in app.provider_gateways()
        assert model is not None
        assert model.provider == "replicate"
    finally:
        app.shutdown_resources()


@pytest.mark.parametrize(
    ("cancel_after", "header"), [(None, "30m"), ("90", "1m30s")], ids=["job-timeout", "setting"]
)
def test_with_a_key_the_settings_reach_the_provider(
    fake: FakeReplicate, sqlite_url: str, tmp_path: Path, cancel_after: str | None, header: str
) -> None:
    env = {
        "GENMEDIA_HOME": str(tmp_path),
        "GENMEDIA_DATABASE_URL": sqlite_url,
        "GENMEDIA_REPLICATE_API_KEY": API_KEY,
        "GENMEDIA_REPLICATE_BASE_URL": fake.base_url,
        "GENMEDIA_REPLICATE_POLL_AFTER": "0.5",
        "GENMEDIA_REPLICATE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }
    if cancel_after is not None:
        env["GENMEDIA_REPLICATE_CANCEL_AFTER"] = cancel_after
    settings = Settings.from_env(env)
    app = build_container(settings)
    try:
        handle = waiting(app.provider_gateways()["replicate"].submit(make_call()))
    finally:
        app.shutdown_resources()

    assert handle.poll_after == 0.5
    assert fake.prediction(handle.task_id).cancel_after == header
    assert API_KEY not in repr(settings)
    assert WEBHOOK_SECRET not in repr(settings)


@pytest.mark.parametrize("secret", [None, WEBHOOK_SECRET], ids=["no-secret", "secret"])
def test_replicate_s_webhooks_are_heard_and_asked_for_only_with_their_secret(
    sqlite_url: str, tmp_path: Path, fake: FakeReplicate, secret: str | None
) -> None:
    settings = Settings(
        home=tmp_path,
        database_url=sqlite_url,
        replicate_api_key=API_KEY,
        replicate_base_url=fake.base_url,
        replicate_webhook_secret=secret,
        fal_api_key="fal-key-for-wiring",
    )
    app = build_container(settings)
    try:
        verifiers = app.webhook_verifiers()
        assert ("replicate" in verifiers) is (secret is not None)
        assert "fal" in verifiers  # fal signs with its published keys: no secret needed
        assert "bfl" not in verifiers
        assert app.provider_gateways()["replicate"].accepts_webhooks is (secret is not None)
    finally:
        app.shutdown_resources()
