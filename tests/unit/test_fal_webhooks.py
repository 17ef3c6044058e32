"""fal's webhook signatures: Ed25519 over request id, user id, timestamp and the body's SHA-256."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from genmedia.adapters.providers.fal import WebhookRejected, public_keys, verify_webhook

NOW = 1_750_000_000.0
REQUEST_ID = "123e4567-e89b-12d3-a456-426614174000"
BODY = json.dumps(
    {"request_id": REQUEST_ID, "status": "OK", "payload": {"images": [{"url": "https://x"}]}}
).encode()


def sign(key: Ed25519PrivateKey, body: bytes = BODY, *, at: float = NOW) -> dict[str, str]:
    timestamp = str(int(at))
    digest = hashlib.sha256(body).hexdigest()
    message = f"{REQUEST_ID}\nuser-42\n{timestamp}\n{digest}".encode()
    return {
        "X-Fal-Webhook-Request-Id": REQUEST_ID,
        "X-Fal-Webhook-User-Id": "user-42",
        "X-Fal-Webhook-Timestamp": timestamp,
        "X-Fal-Webhook-Signature": key.sign(message).hex(),
    }


def rejected(body: bytes, headers: dict[str, str], key: Ed25519PrivateKey) -> str:
    with pytest.raises(WebhookRejected) as excinfo:
        verify_webhook(body, headers, [key.public_key()], now=NOW)
    return excinfo.value.reason


def x_of(key: Ed25519PrivateKey, *, padded: bool) -> str:
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    text = base64.urlsafe_b64encode(raw).decode()
    return text if padded else text.rstrip("=")


def test_a_delivery_signed_by_fal_gives_the_request_id_it_is_about() -> None:
    key = Ed25519PrivateKey.generate()

    assert verify_webhook(BODY, sign(key), [key.public_key()], now=NOW) == REQUEST_ID


def test_any_of_the_current_keys_may_have_signed_it_since_fal_rotates_them() -> None:
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    keys = [old.public_key(), new.public_key()]

    assert verify_webhook(BODY, sign(new), keys, now=NOW) == REQUEST_ID


def test_header_names_are_matched_whatever_their_case() -> None:
    key = Ed25519PrivateKey.generate()
    headers = {name.lower(): value for name, value in sign(key).items()}

    assert verify_webhook(BODY, headers, [key.public_key()], now=NOW) == REQUEST_ID


def test_a_delivery_signed_by_another_key_is_forged() -> None:
    key, forger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()

    assert rejected(BODY, sign(forger), key) == "no_key_matches"


def test_a_body_changed_after_signing_is_rejected() -> None:
    key = Ed25519PrivateKey.generate()
    tampered = BODY.replace(b'"OK"', b'"ERROR"')

    assert rejected(tampered, sign(key), key) == "no_key_matches"


@pytest.mark.parametrize("header", ["X-Fal-Webhook-Request-Id", "X-Fal-Webhook-User-Id"])
def test_a_signed_header_changed_after_signing_is_rejected(header: str) -> None:
    key = Ed25519PrivateKey.generate()
    headers = sign(key) | {header: "someone-else"}

    assert rejected(BODY, headers, key) == "no_key_matches"


@pytest.mark.parametrize("age", [301, -301, 3600])
def test_a_delivery_signed_more_than_five_minutes_from_now_is_stale(age: int) -> None:
    key = Ed25519PrivateKey.generate()

    assert rejected(BODY, sign(key, at=NOW - age), key) == "stale"


@pytest.mark.parametrize("age", [300, -300, 0])
def test_a_delivery_within_five_minutes_either_way_is_fresh(age: int) -> None:
    key = Ed25519PrivateKey.generate()

    assert verify_webhook(BODY, sign(key, at=NOW - age), [key.public_key()], now=NOW)


def test_a_stale_delivery_is_rejected_even_with_a_valid_signature_made_for_its_time() -> None:
    key = Ed25519PrivateKey.generate()
    headers = sign(key, at=NOW - 301)

    assert rejected(BODY, headers, key) == "stale"
    assert verify_webhook(BODY, headers, [key.public_key()], now=NOW - 301) == REQUEST_ID


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"X-Fal-Webhook-Signature": ""}, "missing_headers"),
        ({"X-Fal-Webhook-Timestamp": "yesterday"}, "bad_timestamp"),
        ({"X-Fal-Webhook-Signature": "not hex"}, "bad_signature"),
        ({"X-Fal-Webhook-Signature": "abcd"}, "bad_signature"),
    ],
)
def test_a_delivery_with_a_missing_or_malformed_header_is_rejected(
    change: dict[str, str], reason: str
) -> None:
    key = Ed25519PrivateKey.generate()

    assert rejected(BODY, sign(key) | change, key) == reason


def test_without_any_key_nothing_verifies() -> None:
    key = Ed25519PrivateKey.generate()

    with pytest.raises(WebhookRejected):
        verify_webhook(BODY, sign(key), [], now=NOW)


def test_the_jwks_ed25519_keys_are_read_with_or_without_base64_padding() -> None:
    first, second = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    document = {
        "keys": [
            {"kty": "OKP", "crv": "Ed25519", "x": x_of(first, padded=True)},
            {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
            {"kty": "OKP", "crv": "X25519", "x": x_of(second, padded=False)},
            {"kty": "OKP", "crv": "Ed25519", "x": "too-short"},
            {"kty": "OKP", "crv": "Ed25519", "x": x_of(second, padded=False)},
        ]
    }

    keys = public_keys(document)

    assert len(keys) == 2
    assert verify_webhook(BODY, sign(second), keys, now=NOW) == REQUEST_ID
    assert verify_webhook(BODY, sign(first), keys, now=NOW) == REQUEST_ID


@pytest.mark.parametrize("document", [None, [], {"keys": "none"}, {"keys": [None, 3]}])
def test_a_malformed_jwks_document_has_no_keys(document: object) -> None:
    assert public_keys(document) == ()
