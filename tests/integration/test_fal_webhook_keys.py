"""FalWebhookKeys against the fake fal's JWKS: deliveries it signs verify, keys are cached
for their TTL, a rotated key is fetched again, and the JWKS is read without credentials."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from genmedia.adapters.providers.fal import FalWebhookKeys, WebhookRejected
from genmedia.application.errors import ProviderError
from tests.integration.fake_fal import JWKS_PATH, FakeFal, fake_fal_server, signed_headers

pytestmark = pytest.mark.integration

NOW = 1_750_000_000.0
BODY = json.dumps({"request_id": "req-1", "status": "OK", "payload": {"images": []}}).encode()


class Clock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture
def fake() -> Iterator[FakeFal]:
    with fake_fal_server() as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def keys(fake: FakeFal, clock: Clock) -> Iterator[FalWebhookKeys]:
    source = FalWebhookKeys(url=fake.base_url + JWKS_PATH, ttl=3600, refetch_after=60, clock=clock)
    yield source
    source.close()


def jwks_reads(fake: FakeFal) -> int:
    return sum(r.path == JWKS_PATH for r in fake.http)


def test_a_delivery_the_fake_signs_verifies_and_names_its_request(
    fake: FakeFal, keys: FalWebhookKeys
) -> None:
    headers = fake.signed_headers(BODY, "req-1", at=NOW)

    assert keys.verify(BODY, headers, now=NOW) == "req-1"
    (read,) = [r for r in fake.http if r.path == JWKS_PATH]
    assert "authorization" not in read.headers


def test_the_keys_are_read_once_per_ttl(fake: FakeFal, keys: FalWebhookKeys, clock: Clock) -> None:
    headers = fake.signed_headers(BODY, "req-1", at=NOW)

    keys.verify(BODY, headers, now=NOW)
    clock.seconds = 3599
    keys.verify(BODY, headers, now=NOW)
    assert jwks_reads(fake) == 1
    clock.seconds = 3600
    keys.verify(BODY, headers, now=NOW)
    assert jwks_reads(fake) == 2


def test_a_rotated_key_is_fetched_again_but_not_more_than_once_a_minute(
    fake: FakeFal, keys: FalWebhookKeys, clock: Clock
) -> None:
    keys.verify(BODY, fake.signed_headers(BODY, "req-1", at=NOW), now=NOW)
    fake.signing_key = Ed25519PrivateKey.generate()  # fal rotated its key
    rotated = fake.signed_headers(BODY, "req-1", at=NOW)

    with pytest.raises(WebhookRejected):
        keys.verify(BODY, rotated, now=NOW)  # within a minute of the last read
    clock.seconds = 60
    assert keys.verify(BODY, rotated, now=NOW) == "req-1"
    assert jwks_reads(fake) == 2


def test_a_forged_delivery_is_rejected_after_one_more_read_of_the_keys(
    fake: FakeFal, keys: FalWebhookKeys, clock: Clock
) -> None:
    keys.verify(BODY, fake.signed_headers(BODY, "req-1", at=NOW), now=NOW)
    forged = signed_headers(Ed25519PrivateKey.generate(), BODY, "req-1", at=NOW)
    clock.seconds = 120

    with pytest.raises(WebhookRejected) as excinfo:
        keys.verify(BODY, forged, now=NOW)

    assert excinfo.value.reason == "no_key_matches"
    assert jwks_reads(fake) == 2


def test_a_stale_delivery_is_rejected_without_reading_the_keys_again(
    fake: FakeFal, keys: FalWebhookKeys, clock: Clock
) -> None:
    keys.verify(BODY, fake.signed_headers(BODY, "req-1", at=NOW), now=NOW)
    clock.seconds = 120

    with pytest.raises(WebhookRejected) as excinfo:
        keys.verify(BODY, fake.signed_headers(BODY, "req-1", at=NOW - 600), now=NOW)

    assert excinfo.value.reason == "stale"
    assert jwks_reads(fake) == 1


def test_keys_read_before_serve_while_the_jwks_url_fails(clock: Clock) -> None:
    with fake_fal_server() as fake:
        url = fake.base_url + JWKS_PATH
        source = FalWebhookKeys(url=url, ttl=3600, clock=clock)
        headers = fake.signed_headers(BODY, "req-1", at=NOW)
        source.verify(BODY, headers, now=NOW)
    clock.seconds = 7200  # past the TTL, and the server is gone

    assert source.verify(BODY, headers, now=NOW) == "req-1"
    source.close()


def test_without_any_key_read_it_is_provider_unavailable_not_a_rejection(clock: Clock) -> None:
    with fake_fal_server() as fake:
        url = fake.base_url + "/no-jwks-here"
        source = FalWebhookKeys(url=url, clock=clock)
        with pytest.raises(ProviderError) as excinfo:
            source.verify(BODY, fake.signed_headers(BODY, "req-1", at=NOW), now=NOW)
        source.close()

    assert (excinfo.value.code, excinfo.value.retryable) == ("provider_unavailable", True)
