"""The webhook verifiers of fal and Replicate, as the webhook route uses them: a genuine
delivery names its task; anything else is InvalidSignature (401), and fal's keys being
unreadable is ServiceUnavailable (503, fal delivers again)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from genmedia.adapters.providers.fal import FalWebhookKeys, FalWebhookVerifier
from genmedia.adapters.providers.replicate import ReplicateWebhookVerifier
from genmedia.application.errors import ServiceUnavailable
from genmedia.domain.errors import InvalidSignature
from tests.unit.test_fal_webhooks import BODY as FAL_BODY
from tests.unit.test_fal_webhooks import NOW as FAL_NOW
from tests.unit.test_fal_webhooks import REQUEST_ID, sign
from tests.unit.test_replicate_webhooks import NOW, PREDICTION_ID, new_secret, prediction, signed


def jwks_of(key: Ed25519PrivateKey) -> dict[str, object]:
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    x = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": x}]}


def fal_verifier(answer: httpx.Response) -> FalWebhookVerifier:
    """A verifier whose JWKS document is `answer`, served in process."""
    client = httpx.Client(transport=httpx.MockTransport(lambda request: answer))
    return FalWebhookVerifier(FalWebhookKeys(url="https://jwks.test/", client=client),
                              clock=lambda: FAL_NOW)  # fmt: skip


def test_a_delivery_signed_by_fal_names_its_request() -> None:
    key = Ed25519PrivateKey.generate()
    verifier = fal_verifier(httpx.Response(200, json=jwks_of(key)))
    assert verifier.task_of(sign(key), FAL_BODY) == REQUEST_ID


def test_a_delivery_signed_by_another_key_is_an_invalid_signature() -> None:
    verifier = fal_verifier(httpx.Response(200, json=jwks_of(Ed25519PrivateKey.generate())))
    with pytest.raises(InvalidSignature):
        verifier.task_of(sign(Ed25519PrivateKey.generate()), FAL_BODY)


def test_fal_s_keys_being_unreadable_is_a_passing_unavailability() -> None:
    verifier = fal_verifier(httpx.Response(503, text="down"))
    with pytest.raises(ServiceUnavailable):
        verifier.task_of(sign(Ed25519PrivateKey.generate()), FAL_BODY)


def test_a_delivery_signed_with_the_replicate_secret_names_its_prediction() -> None:
    secret = new_secret()
    verifier = ReplicateWebhookVerifier(secret, clock=lambda: NOW)
    body = prediction()
    assert verifier.task_of(signed(secret, body), body) == PREDICTION_ID


@pytest.mark.parametrize("late", [False, True])
def test_a_forged_or_late_replicate_delivery_is_an_invalid_signature(late: bool) -> None:
    secret = new_secret()
    verifier = ReplicateWebhookVerifier(secret, clock=lambda: NOW)
    body = prediction()
    if late:
        headers = signed(secret, body, at=NOW - timedelta(minutes=6))
    else:
        headers = signed(new_secret(), body)
    with pytest.raises(InvalidSignature) as refused:
        verifier.task_of(headers, body)
    assert secret not in str(refused.value)


def test_a_replicate_secret_that_is_not_whsec_base64_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="whsec_"):
        ReplicateWebhookVerifier("whsec_not*base64")
    assert "whsec" not in repr(ReplicateWebhookVerifier(new_secret()))


def test_the_clock_defaults_to_now() -> None:
    secret = new_secret()
    body = json.dumps({"id": PREDICTION_ID}).encode()
    headers = signed(secret, body, at=datetime.now(UTC))
    assert ReplicateWebhookVerifier(secret).task_of(headers, body) == PREDICTION_ID
