"""POST /v1/webhooks/{provider}: verified against the raw body, else 401 and nothing changes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar.testing import TestClient

SECRET = "whk-test-secret"
BODY = json.dumps({"id": "task-unknown", "status": "Ready"}).encode()


@pytest.fixture
def http_settings() -> dict[str, Any]:
    """The app hears BFL's webhooks: their secret is set."""
    return {"bfl_webhook_secret": SECRET}


def test_a_genuine_delivery_is_accepted_even_when_no_job_waits_on_its_task(
    client: TestClient[Any],
) -> None:
    answer = client.post("/v1/webhooks/bfl", content=BODY, headers={"X-Webhook-Secret": SECRET})
    assert answer.status_code == 202
    assert answer.json() == {"accepted": True, "polled": 0}


@pytest.mark.parametrize("headers", [{}, {"X-Webhook-Secret": "whk-guess"}])
def test_an_unverified_delivery_answers_401_without_a_token_being_asked(
    client: TestClient[Any], headers: dict[str, str]
) -> None:
    answer = client.post("/v1/webhooks/bfl", content=BODY, headers=headers)
    assert answer.status_code == 401
    assert answer.json()["code"] == "unauthorized"
    assert SECRET not in answer.text


def test_a_provider_whose_webhooks_are_not_set_up_is_not_found(client: TestClient[Any]) -> None:
    answer = client.post("/v1/webhooks/replicate", content=BODY)
    assert answer.status_code == 404


def test_a_delivery_larger_than_a_webhook_can_be_is_refused(client: TestClient[Any]) -> None:
    big = b"{" + b" " * (1024 * 1024 + 1) + b"}"
    answer = client.post("/v1/webhooks/bfl", content=big, headers={"X-Webhook-Secret": SECRET})
    assert answer.status_code == 413
