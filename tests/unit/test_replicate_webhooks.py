"""Verifying Replicate's Standard Webhooks deliveries: signed, forged, tampered, stale."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from datetime import UTC, datetime, timedelta

import pytest

from genmedia.adapters.providers.replicate import WebhookRejected, verify_webhook

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
PREDICTION_ID = "gm3qorzdhgbfurvjtvhg6dckhu"


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


def signed(
    secret: str, body: bytes, *, at: datetime = NOW, delivery_id: str = "msg_1"
) -> dict[str, str]:
    """The headers Replicate sends with `body`, signed with `secret` at `at`."""
    stamp = str(int(at.timestamp()))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{delivery_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + base64.b64encode(mac).decode(),
    }


def prediction(**fields: object) -> bytes:
    return json.dumps({"id": PREDICTION_ID, "status": "succeeded", **fields}).encode()


def rejected(headers: dict[str, str], body: bytes, secret: str) -> str:
    with pytest.raises(WebhookRejected) as excinfo:
        verify_webhook(headers, body, secret, now=NOW)
    assert secret not in str(excinfo.value)
    return str(excinfo.value)


def test_a_signed_delivery_gives_the_prediction_it_is_about() -> None:
    secret, body = new_secret(), prediction()

    assert verify_webhook(signed(secret, body), body, secret, now=NOW) == PREDICTION_ID


def test_the_published_standard_webhooks_example_verifies() -> None:
    # The example of the Standard Webhooks specification. Its body is no prediction, so the
    # delivery passes the signature check and is then refused for its body.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    headers = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }
    when = datetime.fromtimestamp(1614265330, UTC)

    with pytest.raises(WebhookRejected, match="names no prediction id"):
        verify_webhook(headers, body, secret, now=when)
    with pytest.raises(WebhookRejected, match="no v1 signature"):
        verify_webhook(headers, body + b" ", secret, now=when)


def test_header_names_are_matched_in_any_case() -> None:
    secret, body = new_secret(), prediction()
    headers = {name.title(): value for name, value in signed(secret, body).items()}

    assert verify_webhook(headers, body, secret, now=NOW) == PREDICTION_ID


def test_a_delivery_signed_with_another_secret_is_forged() -> None:
    secret, body = new_secret(), prediction()

    assert "no v1 signature" in rejected(signed(new_secret(), body), body, secret)


def test_a_body_changed_after_signing_is_rejected() -> None:
    secret, body = new_secret(), prediction()
    headers = signed(secret, body)

    assert "no v1 signature" in rejected(headers, prediction(status="failed"), secret)


def test_a_changed_id_or_timestamp_breaks_the_signature() -> None:
    secret, body = new_secret(), prediction()
    other_id = signed(secret, body) | {"webhook-id": "msg_2"}
    later = str(int(NOW.timestamp()) + 1)
    other_time = signed(secret, body) | {"webhook-timestamp": later}

    assert "no v1 signature" in rejected(other_id, body, secret)
    assert "no v1 signature" in rejected(other_time, body, secret)


@pytest.mark.parametrize("offset", [-301, 301], ids=["stale", "from-the-future"])
def test_a_delivery_outside_the_300_second_tolerance_is_rejected(offset: int) -> None:
    secret, body = new_secret(), prediction()
    headers = signed(secret, body, at=NOW + timedelta(seconds=offset))

    assert "tolerance" in rejected(headers, body, secret)


def test_a_delivery_within_the_tolerance_is_accepted() -> None:
    secret, body = new_secret(), prediction()
    headers = signed(secret, body, at=NOW - timedelta(seconds=299))

    assert verify_webhook(headers, body, secret, now=NOW) == PREDICTION_ID


def test_any_matching_v1_entry_among_several_is_enough_and_other_versions_are_ignored() -> None:
    secret, body = new_secret(), prediction()
    headers = signed(secret, body)
    good = headers["webhook-signature"].removeprefix("v1,")
    headers["webhook-signature"] = f"v1,{'A' * 44} v1a,{good} v1,{good}"
    only_other_version = headers | {"webhook-signature": f"v2,{good} v1a,{good}"}

    assert verify_webhook(headers, body, secret, now=NOW) == PREDICTION_ID
    rejected(only_other_version, body, secret)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_delivery_missing_a_header_is_rejected(missing: str) -> None:
    secret, body = new_secret(), prediction()
    headers = signed(secret, body)
    del headers[missing]

    assert "missing" in rejected(headers, body, secret)


def test_a_timestamp_that_is_not_unix_seconds_is_rejected() -> None:
    secret, body = new_secret(), prediction()
    headers = signed(secret, body) | {"webhook-timestamp": "2025-06-01T12:00:00Z"}

    assert "unix seconds" in rejected(headers, body, secret)


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"status": "succeeded"}', b'{"id": "../x"}'],
    ids=["not-json", "a-list", "no-id", "a-path"],
)  # fmt: skip
def test_a_genuine_delivery_whose_body_names_no_prediction_is_rejected(body: bytes) -> None:
    secret = new_secret()

    assert "the body" in rejected(signed(secret, body), body, secret)


def test_a_secret_that_is_not_base64_is_a_configuration_error_that_hides_it() -> None:
    body = prediction()
    secret = "whsec_not base64 at all!"

    with pytest.raises(ValueError, match="not whsec_ and base64") as excinfo:
        verify_webhook(signed(new_secret(), body), body, secret, now=NOW)

    assert "not base64 at all" not in str(excinfo.value)
