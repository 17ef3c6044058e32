"""Delivery against a fake delivery host on loopback: what it downloads, and what it refuses.

Host names resolve through `FakeDns` and connections go through `RecordingNetwork`, which
records every connection Delivery asks for and opens only those to the public stand-in
address (to the fake on 127.0.0.1). So a test sees that a private address was never tried,
without any packet going anywhere but loopback.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from genmedia.adapters.providers.delivery import Delivery
from genmedia.application.errors import ProviderError
from genmedia.entrypoints.container import build_container
from genmedia.entrypoints.settings import Settings
from tests.integration.fake_cdn import (
    PUBLIC,
    FakeCdn,
    FakeDns,
    RecordingNetwork,
    fake_cdn_server,
)
from tests.waiting import wait_until

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
CDN = "cdn.example"
DNS = {
    CDN: [[PUBLIC]],
    "metadata.example": [["169.254.169.254"]],
    "intranet.example": [["10.0.0.1"]],
    "mixed.example": [[PUBLIC, "10.0.0.1"]],
    "rebinding.example": [[PUBLIC], ["10.0.0.1"]],
}


@pytest.fixture
def cdn() -> Iterator[FakeCdn]:
    with fake_cdn_server() as server:
        server.files["/files/result.png"] = b"\x89PNG result bytes"
        yield server


@pytest.fixture
def network() -> RecordingNetwork:
    return RecordingNetwork()


@pytest.fixture
def delivery(network: RecordingNetwork) -> Iterator[Delivery]:
    """A downloader with the address check on, seeing the network through the fakes."""
    with Delivery(max_bytes=MIB, timeout=5.0, resolve=FakeDns(DNS), network=network) as d:
        yield d


def refused(delivery: Delivery, url: str) -> ProviderError:
    with pytest.raises(ProviderError) as excinfo:
        delivery.fetch(url)
    return excinfo.value


def test_a_result_on_a_public_host_is_downloaded(
    cdn: FakeCdn, delivery: Delivery, network: RecordingNetwork
) -> None:
    data = delivery.fetch(cdn.url("/files/result.png", host=CDN))

    assert data == b"\x89PNG result bytes"
    assert network.attempts == [(PUBLIC, cdn.port)]
    (request,) = cdn.received
    assert request.headers["host"] == f"{CDN}:{cdn.port}"


def test_a_download_sends_no_credentials_and_no_cookies(cdn: FakeCdn, delivery: Delivery) -> None:
    url = f"http://user:secret@{CDN}:{cdn.port}/redirect?to=/files/result.png"

    assert delivery.fetch(url) == b"\x89PNG result bytes"

    first, second = cdn.received
    assert (first.path, second.path) == ("/redirect", "/files/result.png")
    for request in (first, second):
        assert "authorization" not in request.headers
        assert "cookie" not in request.headers


def test_a_loopback_result_url_is_refused_while_private_addresses_are_not_allowed(
    cdn: FakeCdn,
) -> None:
    with Delivery(max_bytes=MIB, timeout=5.0) as delivery:
        error = refused(delivery, cdn.url("/files/result.png"))

    assert (error.code, error.retryable) == ("result_url_forbidden", False)
    assert "127.0.0.1" in error.message
    assert cdn.received == []


def test_the_test_setting_allows_the_loopback_fake(cdn: FakeCdn) -> None:
    with Delivery(max_bytes=MIB, timeout=5.0, allow_private=True) as delivery:
        assert delivery.fetch(cdn.url("/files/result.png")) == b"\x89PNG result bytes"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/result.png",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://10.0.0.1/result.png",
        "https://192.168.1.20/result.png",
        "http://0.0.0.0/result.png",
        "http://2130706433/result.png",
        "http://0x7f.1/result.png",
        "http://[::1]/result.png",
        "http://[fd00::1]/result.png",
        "http://[::ffff:169.254.169.254]/result.png",
        "http://[64:ff9b::a9fe:a9fe]/result.png",
        "http://[2002:a00:1::]/result.png",
        "http://metadata.example/latest/meta-data/",
        "http://intranet.example/result.png",
        "http://mixed.example/result.png",
    ],
)
def test_a_result_url_on_a_private_address_is_refused_without_connecting(
    delivery: Delivery, network: RecordingNetwork, url: str
) -> None:
    error = refused(delivery, url)

    assert (error.code, error.retryable) == ("result_url_forbidden", False)
    assert network.attempts == []


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/result.png",
        "http://metadata.example/latest/meta-data/",
        "http://127.0.0.1:{port}/files/result.png",
    ],
)
def test_a_redirect_to_a_private_address_is_refused_without_connecting_to_it(
    cdn: FakeCdn, delivery: Delivery, network: RecordingNetwork, target: str
) -> None:
    to = target.format(port=cdn.port)

    error = refused(delivery, cdn.url(f"/redirect?to={to}", host=CDN))

    assert (error.code, error.retryable) == ("result_url_forbidden", False)
    assert network.attempts == [(PUBLIC, cdn.port)]
    assert [request.path for request in cdn.received] == ["/redirect"]


def test_a_host_that_resolves_to_a_private_address_once_checked_is_never_connected(
    delivery: Delivery, network: RecordingNetwork
) -> None:
    error = refused(delivery, "http://rebinding.example/result.png")

    assert error.code == "result_url_forbidden"
    assert "10.0.0.1" in error.message
    assert network.attempts == []


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://cdn.example/result.png", "http://0177.0.0.1/", "nonsense"],
)
def test_a_url_that_is_not_plain_http_is_refused(
    delivery: Delivery, network: RecordingNetwork, url: str
) -> None:
    assert refused(delivery, url).code == "result_url_forbidden"
    assert network.attempts == []


def test_more_than_five_redirects_are_not_followed(cdn: FakeCdn, delivery: Delivery) -> None:
    error = refused(delivery, cdn.url("/hops/0", host=CDN))

    assert (error.code, error.retryable) == ("result_unavailable", False)
    assert len(cdn.received) == 6


def test_a_2_gib_body_announced_in_its_length_is_refused_before_it_is_read(
    cdn: FakeCdn, delivery: Delivery
) -> None:
    error = refused(delivery, cdn.url("/huge", host=CDN))

    assert (error.code, error.retryable) == ("result_too_large", False)
    assert "2147483648" in error.message
    wait_until(lambda: cdn.finished("/huge"))
    assert cdn.sent("/huge") < 64 * MIB


def test_a_2_gib_body_without_a_length_is_cut_off_at_the_cap(
    cdn: FakeCdn, delivery: Delivery
) -> None:
    error = refused(delivery, cdn.url("/huge-chunked", host=CDN))

    assert (error.code, error.retryable) == ("result_too_large", False)
    wait_until(lambda: cdn.finished("/huge-chunked"))
    assert cdn.sent("/huge-chunked") < 64 * MIB


@pytest.mark.parametrize("path", ["/trickle-body", "/trickle-headers"])
def test_an_answer_that_trickles_in_is_stopped_at_the_download_deadline(
    cdn: FakeCdn, network: RecordingNetwork, path: str
) -> None:
    # Each byte comes well within any read timeout: only the download's deadline ends it.
    with Delivery(max_bytes=MIB, timeout=0.5, resolve=FakeDns(DNS), network=network) as slow:
        error = refused(slow, cdn.url(path, host=CDN))

    assert (error.code, error.retryable) == ("result_unavailable", True)
    assert "0.5s" in error.message


@pytest.mark.parametrize("status", [401, 403, 404, 410])
def test_a_result_url_that_no_longer_works_is_result_expired(
    cdn: FakeCdn, delivery: Delivery, status: int
) -> None:
    error = refused(delivery, cdn.url(f"/status/{status}", host=CDN))

    assert (error.code, error.retryable) == ("result_expired", False)


def test_a_server_error_is_retryable_after_the_given_seconds(
    cdn: FakeCdn, delivery: Delivery
) -> None:
    error = refused(delivery, cdn.url("/status/503?retry_after=7", host=CDN))

    assert (error.code, error.retryable, error.retry_after) == ("result_unavailable", True, 7.0)
    assert "503" in error.message


def test_another_client_error_is_unavailable_and_not_retried(
    cdn: FakeCdn, delivery: Delivery
) -> None:
    error = refused(delivery, cdn.url("/status/400", host=CDN))

    assert (error.code, error.retryable) == ("result_unavailable", False)


def test_a_refused_connection_is_retryable(delivery: Delivery, network: RecordingNetwork) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound but not listening: connections are refused
        port = closed.getsockname()[1]
        error = refused(delivery, f"http://{CDN}:{port}/result.png")

    assert (error.code, error.retryable) == ("result_unavailable", True)
    assert network.attempts == [(PUBLIC, port)]


def test_a_host_that_does_not_resolve_is_retryable(
    delivery: Delivery, network: RecordingNetwork
) -> None:
    error = refused(delivery, "http://unknown.example/result.png")

    assert (error.code, error.retryable) == ("result_unavailable", True)
    assert network.attempts == []


def test_the_message_names_the_host_but_not_the_signed_path(
    cdn: FakeCdn, delivery: Delivery
) -> None:
    error = refused(delivery, cdn.url("/status/500?signature=s3cr3t", host=CDN))

    assert CDN in error.message
    assert "s3cr3t" not in error.message


def test_a_client_passed_in_is_used_and_left_open(cdn: FakeCdn) -> None:
    with httpx.Client() as client:
        with Delivery(max_bytes=MIB, timeout=5.0, allow_private=True, client=client) as d:
            assert d.fetch(cdn.url("/files/result.png")) == b"\x89PNG result bytes"
        assert not client.is_closed


def test_the_settings_build_one_delivery_that_the_bfl_provider_downloads_with(
    cdn: FakeCdn, tmp_path: Path
) -> None:
    env = {
        "GENMEDIA_HOME": str(tmp_path),
        "GENMEDIA_BFL_API_KEY": "bfl-key",
        "GENMEDIA_FETCH_MAX_BYTES": "4096",
        "GENMEDIA_FETCH_TIMEOUT": "9",
    }
    container = build_container(Settings.from_env(env))
    try:
        delivery = container.delivery()
        assert (delivery.max_bytes, delivery.timeout, delivery.allow_private) == (4096, 9, False)
        bfl = container.provider_gateways()["bfl"]
        with pytest.raises(ProviderError) as excinfo:
            bfl.fetch(cdn.url("/files/result.png"))
    finally:
        container.shutdown_resources()

    assert excinfo.value.code == "result_url_forbidden"
    assert cdn.received == []
    allowed = Settings.from_env(env | {"GENMEDIA_FETCH_ALLOW_PRIVATE": "true"})
    assert allowed.fetch_allow_private is True
