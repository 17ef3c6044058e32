"""BFL's webhook deliveries: the echoed secret or an HMAC of the raw body (providers.md §1.8)."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from genmedia.adapters.providers.bfl import BflWebhookVerifier
from genmedia.domain.errors import FieldError, InvalidSignature

SECRET = "whk-0123456789abcdef"
BODY = json.dumps({"id": "task-1", "status": "Ready", "result": {"sample": "x"}}).encode()


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"x-bfl-signature": f"sha256={digest}"}


def test_a_delivery_that_echoes_the_secret_names_its_task() -> None:
    verifier = BflWebhookVerifier(SECRET)
    assert verifier.task_of({"x-webhook-secret": SECRET}, BODY) == "task-1"


def test_a_delivery_whose_body_is_signed_with_the_secret_names_its_task() -> None:
    assert BflWebhookVerifier(SECRET).task_of(signed(BODY), BODY) == "task-1"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-webhook-secret": "whk-guess"},
        {"x-webhook-secret": ""},
        signed(BODY, secret="another secret"),
        signed(BODY.replace(b"Ready", b"Error")),  # a body altered after signing
        {"x-bfl-signature": "md5=00"},
    ],
)
def test_a_forged_or_altered_delivery_is_refused(headers: dict[str, str]) -> None:
    with pytest.raises(InvalidSignature) as refused:
        BflWebhookVerifier(SECRET).task_of(headers, BODY)
    assert SECRET not in str(refused.value)


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"status": "Ready"}', b'{"id": ""}'])
def test_a_genuine_delivery_that_names_no_task_is_malformed(body: bytes) -> None:
    with pytest.raises(FieldError) as malformed:
        BflWebhookVerifier(SECRET).task_of({"x-webhook-secret": SECRET}, body)
    assert malformed.value.field == "id"


def test_the_verifier_never_shows_its_secret() -> None:
    verifier = BflWebhookVerifier(SECRET)
    assert SECRET not in repr(verifier)
    assert SECRET not in str(verifier)
