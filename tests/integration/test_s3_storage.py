"""S3Storage against a real S3 API: moto's server on a loopback port.

Moto accepts presigned URLs whose signature was tampered with, so these tests show that a
presigned URL reaches the object and carries its expiry, not that its signature is right.
"""

from __future__ import annotations

import secrets
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3  # type: ignore[import-untyped]
import httpx
import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from genmedia.adapters.storage.s3 import S3Storage
from genmedia.domain.errors import InvalidValue, NotFound
from tests.integration.s3_server import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY

pytestmark = pytest.mark.integration

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4

INVALID_KEYS = [
    "",
    "/media/1/0",
    "..",
    "media/../secret",
    "media/..",
    "media//1",
    "media/./1",
    "media/1/",
    "media\\1",
    "media/\x00",
]


def raw_client(endpoint: str) -> Any:
    """A plain boto3 client, to look at the bucket behind the adapter's back."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=FAKE_ACCESS_KEY_ID,
        aws_secret_access_key=FAKE_SECRET_ACCESS_KEY,
    )


def new_storage(endpoint: str, **changes: Any) -> S3Storage:
    options: dict[str, Any] = {
        "bucket": f"genmedia-test-{secrets.token_hex(6)}",
        "endpoint_url": endpoint,
        "access_key_id": FAKE_ACCESS_KEY_ID,
        "secret_access_key": FAKE_SECRET_ACCESS_KEY,
        "create_bucket": True,
    }
    return S3Storage(**(options | changes))


def test_an_object_put_comes_back_byte_for_byte(s3_storage: S3Storage) -> None:
    s3_storage.put("media/7/0", PNG, "image/png")

    assert s3_storage.get("media/7/0") == PNG


def test_an_empty_object_round_trips(s3_storage: S3Storage) -> None:
    s3_storage.put("media/7/empty", b"", "application/octet-stream")

    assert s3_storage.get("media/7/empty") == b""


def test_put_stores_the_content_type(s3_storage: S3Storage, s3_endpoint: str) -> None:
    s3_storage.put("media/7/0.png", PNG, "image/png")
    s3_storage.put("media/7/1.webp", b"RIFF....WEBP", "image/webp")

    head = raw_client(s3_endpoint).head_object
    assert head(Bucket=s3_storage.bucket, Key="media/7/0.png")["ContentType"] == "image/png"
    assert head(Bucket=s3_storage.bucket, Key="media/7/1.webp")["ContentType"] == "image/webp"


def test_putting_the_same_key_again_replaces_the_object(
    s3_storage: S3Storage, s3_endpoint: str
) -> None:
    s3_storage.put("media/7/0", b"first", "text/plain")
    s3_storage.put("media/7/0", PNG, "image/png")

    assert s3_storage.get("media/7/0") == PNG
    head = raw_client(s3_endpoint).head_object(Bucket=s3_storage.bucket, Key="media/7/0")
    assert head["ContentType"] == "image/png"
    assert head["ContentLength"] == len(PNG)


def test_getting_a_missing_key_raises_not_found(s3_storage: S3Storage) -> None:
    with pytest.raises(NotFound) as caught:
        s3_storage.get("media/404/0")

    assert caught.value.key == "media/404/0"


def test_delete_removes_the_object_and_is_idempotent(s3_storage: S3Storage) -> None:
    s3_storage.put("media/7/0", PNG, "image/png")

    s3_storage.delete("media/7/0")
    s3_storage.delete("media/7/0")
    s3_storage.delete("media/never/stored")

    assert not s3_storage.exists("media/7/0")
    with pytest.raises(NotFound):
        s3_storage.get("media/7/0")


def test_exists_tells_stored_from_missing_keys(s3_storage: S3Storage) -> None:
    assert not s3_storage.exists("media/7/0")

    s3_storage.put("media/7/0", PNG, "image/png")

    assert s3_storage.exists("media/7/0")
    assert not s3_storage.exists("media/7")
    assert not s3_storage.exists("media/7/1")


def test_the_prefix_is_put_before_every_key(s3_endpoint: str) -> None:
    storage = new_storage(s3_endpoint, prefix="/tenant-a/media/")
    storage.put("7/0", PNG, "image/png")

    listing = raw_client(s3_endpoint).list_objects_v2(Bucket=storage.bucket)
    assert [item["Key"] for item in listing["Contents"]] == ["tenant-a/media/7/0"]
    assert storage.object_key("7/0") == "tenant-a/media/7/0"
    assert storage.get("7/0") == PNG
    assert storage.exists("7/0")
    assert "/tenant-a/media/7/0?" in storage.url("7/0", 60)


def test_two_prefixes_in_one_bucket_do_not_see_each_other(s3_endpoint: str) -> None:
    first = new_storage(s3_endpoint, prefix="a")
    second = new_storage(s3_endpoint, bucket=first.bucket, prefix="b")
    first.put("7/0", b"from a", "text/plain")

    assert not second.exists("7/0")
    with pytest.raises(NotFound):
        second.get("7/0")


@pytest.mark.parametrize("key", INVALID_KEYS)
def test_invalid_keys_are_refused_before_any_request(key: str) -> None:
    storage = S3Storage(bucket="never-contacted", client=object())

    for call in (
        lambda: storage.put(key, b"x", "text/plain"),
        lambda: storage.get(key),
        lambda: storage.delete(key),
        lambda: storage.exists(key),
        lambda: storage.url(key, 60),
    ):
        with pytest.raises(InvalidValue):
            call()


@pytest.mark.parametrize("prefix", ["a/../b", "a//b", "./a", "a\\b"])
def test_an_invalid_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(InvalidValue):
        S3Storage(bucket="b", prefix=prefix)


def test_a_key_longer_than_s3_allows_is_refused() -> None:
    storage = S3Storage(bucket="b", prefix="p", client=object())

    with pytest.raises(InvalidValue):
        storage.object_key("k" * 1023)
    assert storage.object_key("k" * 1022) == "p/" + "k" * 1022


def test_a_presigned_url_reads_the_object_over_http_and_carries_its_expiry(
    s3_storage: S3Storage, s3_endpoint: str
) -> None:
    s3_storage.put("media/7/0", PNG, "image/png")

    url = s3_storage.url("media/7/0", 300)

    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == s3_endpoint
    assert parts.hostname == "127.0.0.1"
    assert parts.path == f"/{s3_storage.bucket}/media/7/0"
    query = parse_qs(parts.query)
    assert query["X-Amz-Expires"] == ["300"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert "X-Amz-Signature" in query
    with httpx.Client(trust_env=False, timeout=10) as http:
        response = http.get(url)
    assert response.status_code == 200
    assert response.content == PNG
    assert response.headers["content-type"] == "image/png"


def test_the_presigned_url_expiry_follows_the_argument(s3_storage: S3Storage) -> None:
    short = parse_qs(urlsplit(s3_storage.url("media/7/0", 1)).query)
    week = parse_qs(urlsplit(s3_storage.url("media/7/0", 7 * 24 * 3600)).query)

    assert short["X-Amz-Expires"] == ["1"]
    assert week["X-Amz-Expires"] == ["604800"]


@pytest.mark.parametrize("expires_in", [0, -5, 7 * 24 * 3600 + 1])
def test_a_presigned_url_expiry_outside_what_s3_allows_is_refused(
    s3_storage: S3Storage, expires_in: int
) -> None:
    with pytest.raises(InvalidValue):
        s3_storage.url("media/7/0", expires_in)


def test_concurrent_puts_from_eight_threads_on_one_adapter_all_land(
    s3_storage: S3Storage, s3_endpoint: str
) -> None:
    threads, per_thread = 8, 6
    start = threading.Barrier(threads)

    def upload(worker: int) -> None:
        start.wait()
        for index in range(per_thread):
            s3_storage.put(f"media/{worker}/{index}", f"{worker}:{index}".encode(), "text/plain")

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(upload, range(threads)))

    for worker in range(threads):
        for index in range(per_thread):
            assert s3_storage.get(f"media/{worker}/{index}") == f"{worker}:{index}".encode()
    listing = raw_client(s3_endpoint).list_objects_v2(Bucket=s3_storage.bucket)
    assert listing["KeyCount"] == threads * per_thread


def test_threads_that_start_at_once_share_one_lazily_built_client(s3_endpoint: str) -> None:
    built: list[Any] = []

    class CountingS3Storage(S3Storage):
        def _build_client(self) -> Any:
            client = super()._build_client()
            built.append(client)
            return client

    storage = CountingS3Storage(
        bucket=f"genmedia-test-{secrets.token_hex(6)}",
        endpoint_url=s3_endpoint,
        access_key_id=FAKE_ACCESS_KEY_ID,
        secret_access_key=FAKE_SECRET_ACCESS_KEY,
        create_bucket=True,
    )
    assert built == []
    start = threading.Barrier(8)

    def first_use(worker: int) -> None:
        start.wait()
        storage.put(f"media/{worker}/0", b"x", "text/plain")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(first_use, range(8)))

    assert len(built) == 1
    assert all(storage.exists(f"media/{worker}/0") for worker in range(8))


def test_creating_the_bucket_is_idempotent(s3_endpoint: str) -> None:
    first = new_storage(s3_endpoint)
    first.put("media/7/0", PNG, "image/png")
    second = new_storage(s3_endpoint, bucket=first.bucket)

    assert second.get("media/7/0") == PNG


def test_the_bucket_is_created_in_its_region(s3_endpoint: str) -> None:
    storage = new_storage(s3_endpoint, region="eu-west-1")
    storage.put("media/7/0", PNG, "image/png")

    location = raw_client(s3_endpoint).get_bucket_location(Bucket=storage.bucket)
    assert location["LocationConstraint"] == "eu-west-1"
    assert storage.get("media/7/0") == PNG


def test_without_create_bucket_a_missing_bucket_is_not_created(s3_endpoint: str) -> None:
    storage = new_storage(s3_endpoint, create_bucket=False)

    with pytest.raises(ClientError):
        storage.put("media/7/0", PNG, "image/png")
    with pytest.raises(ClientError):
        raw_client(s3_endpoint).head_bucket(Bucket=storage.bucket)


def test_a_given_client_is_used_as_is(s3_endpoint: str) -> None:
    client = raw_client(s3_endpoint)
    bucket = f"genmedia-test-{secrets.token_hex(6)}"
    client.create_bucket(Bucket=bucket)
    storage = S3Storage(bucket=bucket, client=client)

    storage.put("media/7/0", PNG, "image/png")

    assert client.get_object(Bucket=bucket, Key="media/7/0")["Body"].read() == PNG


def test_repr_hides_the_secret_key(s3_endpoint: str) -> None:
    secret = "sEcReT-" + secrets.token_hex(16)
    storage = new_storage(s3_endpoint, access_key_id="AKIDEXAMPLE", secret_access_key=secret)

    assert secret not in repr(storage)
    assert secret not in str(storage)
    assert storage.bucket in repr(storage)
    storage.put("media/7/0", b"x", "text/plain")
    assert secret not in repr(storage)
    assert secret not in repr(vars(storage))


def test_an_access_key_without_its_secret_is_refused() -> None:
    with pytest.raises(InvalidValue):
        S3Storage(bucket="b", access_key_id="AKIDEXAMPLE")
    with pytest.raises(InvalidValue):
        S3Storage(bucket="b", secret_access_key="secret")


def test_a_file_is_stored_from_its_start_with_its_content_type(
    s3_storage: S3Storage, s3_endpoint: str
) -> None:
    data = PNG * 4000  # a few MB
    with tempfile.SpooledTemporaryFile(max_size=1024) as source:
        source.write(data)  # left at its end: put_file rewinds it
        s3_storage.put_file("uploads/u1/a.png", source, "image/png")

    assert s3_storage.get("uploads/u1/a.png") == data
    head = raw_client(s3_endpoint).head_object(Bucket=s3_storage.bucket, Key="uploads/u1/a.png")
    assert (head["ContentType"], head["ContentLength"]) == ("image/png", len(data))
