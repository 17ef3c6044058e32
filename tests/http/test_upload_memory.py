"""An upload is streamed, never held whole in memory: measured on a real server process.

The figure is the growth of the serving process's peak RSS (VmHWM, reset just before the
upload through /proc/<pid>/clear_refs) while it reads one large upload.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.http.live import LiveServer, live_server
from tests.images import encode, picture

MIB = 1024 * 1024
GROWTH_LIMIT = 20 * MIB
BOUNDARY = "genmedia-memory-test"

pytestmark = pytest.mark.integration


def multipart(head: bytes, filler: int, chunk: int = 256 * 1024) -> Iterator[bytes]:
    """A multipart body with one `file` part: `head`, then `filler` zero bytes, in chunks."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode() + head
    for at in range(0, filler, chunk):
        yield bytes(min(chunk, filler - at))
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def post(
    server: LiveServer, token: str, body: Iterator[bytes] | bytes, **extra: str
) -> httpx.Response:
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        **extra,
    }
    return httpx.post(f"{server.url}/v1/media", content=body, headers=headers, timeout=120)


def registered(server: LiveServer) -> str:
    answer = httpx.post(
        f"{server.url}/v1/auth/register",
        json={"email": "big@example.com", "password": "long enough"},
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["token"])


def warmed_up(server: LiveServer, token: str) -> None:
    """One upload stored and one refused, so that every code path is loaded already."""
    assert post(server, token, multipart(encode(picture(), "PNG"), 0)).status_code == 201
    assert post(server, token, multipart(b"\x89PNG\r\n\x1a\n", 51 * MIB)).status_code == 413


@pytest.fixture
def server(sqlite_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path, sqlite_url) as running:
        yield running


@pytest.mark.parametrize("extra", [{}, {"Idempotency-Key": "big-1"}], ids=["plain", "keyed"])
def test_a_60_mib_upload_is_refused_with_413_and_the_server_stays_small(
    server: LiveServer, extra: dict[str, str]
) -> None:
    token = registered(server)
    warmed_up(server, token)
    before = server.reset_peak()

    answer = post(server, token, multipart(encode(picture(), "PNG"), 60 * MIB), **extra)

    growth = server.peak_rss() - before
    assert answer.status_code == 413
    assert answer.json()["code"] == "payload_too_large"
    assert growth < GROWTH_LIMIT, f"peak RSS grew by {growth / MIB:.1f} MiB"
    media = httpx.get(f"{server.url}/v1/media", headers={"Authorization": f"Bearer {token}"})
    assert len(media.json()["items"]) == 1  # the warm-up upload only


def test_a_45_mib_photo_is_stored_and_the_server_stays_small(server: LiveServer) -> None:
    token = registered(server)
    warmed_up(server, token)
    size = (3400, 3300)
    noise = Image.frombytes("RGB", size, random.Random(7).randbytes(size[0] * size[1] * 3))
    photo = encode(noise, "JPEG", quality=100, subsampling=0)
    assert 40 * MIB < len(photo) < 50 * MIB
    before = server.reset_peak()

    answer = post(server, token, multipart(photo, 0))

    growth = server.peak_rss() - before
    assert answer.status_code == 201, answer.text
    assert (answer.json()["width"], answer.json()["file_size"]) == (3400, len(photo))
    assert growth < GROWTH_LIMIT, f"peak RSS grew by {growth / MIB:.1f} MiB"
    assert httpx.get(answer.json()["url"]).content == photo
