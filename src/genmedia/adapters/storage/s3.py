"""Object storage in an S3 bucket (AWS or any S3-compatible service), over boto3."""

from __future__ import annotations

import threading
from typing import IO, Any

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from genmedia.application.ports import ObjectStorage
from genmedia.domain.errors import InvalidValue, NotFound

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
MAX_POOL_CONNECTIONS = 32
MAX_ATTEMPTS = 3
MAX_KEY_BYTES = 1024
MAX_URL_EXPIRY = 7 * 24 * 3600  # the longest a SigV4 presigned URL may live
DEFAULT_CONTENT_TYPE = "application/octet-stream"

_MISSING_OBJECT = frozenset({"NoSuchKey", "NotFound", "404"})
_MISSING_BUCKET = frozenset({"NoSuchBucket", "NotFound", "404"})


def _error_code(error: Any) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _http_status(error: Any) -> int | None:
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return int(status) if status is not None else None


def _check_path(field: str, value: str) -> None:
    """Refuse anything but plain `a/b/c` paths: no `..`, `.` or empty parts, no leading `/`."""
    parts = value.split("/")
    if (
        not value
        or "\\" in value
        or any(part in ("", ".", "..") for part in parts)
        or any(ord(char) < 32 or ord(char) == 127 for char in value)
    ):
        raise InvalidValue(field, f"invalid storage {field} {value!r}")


class S3Storage(ObjectStorage):
    """Stores each object under `prefix/key` in one bucket.

    The boto3 client is built on first use, once, under a lock: the adapter is shared by worker
    threads, and boto3 clients are thread-safe once created while sessions are not. With
    `create_bucket`, the bucket is created on first use if it is missing. The secret key is
    never shown by `repr` and is dropped once the client holds it.
    """

    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        prefix: str = "",
        create_bucket: bool = False,
        client: Any | None = None,
    ) -> None:
        if not bucket:
            raise InvalidValue("bucket", "a bucket name is required")
        if (access_key_id is None) != (secret_access_key is None):
            raise InvalidValue(
                "access_key_id", "give both the access key id and the secret key, or neither"
            )
        prefix = prefix.strip("/")
        if prefix:
            _check_path("prefix", prefix)
        self.bucket = bucket
        self.endpoint_url = endpoint_url
        self.region = region
        self.prefix = prefix
        self._access_key_id = access_key_id
        self._secret_access_key = secret_access_key
        self._client: Any | None = client
        self._bucket_ready = not create_bucket
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(bucket={self.bucket!r}, endpoint_url={self.endpoint_url!r}, "
            f"region={self.region!r}, prefix={self.prefix!r})"
        )

    # -- plumbing ---------------------------------------------------------------------------

    def object_key(self, key: str) -> str:
        """The bucket key an object is stored under: the prefix, then the caller's key."""
        _check_path("key", key)
        full = f"{self.prefix}/{key}" if self.prefix else key
        if len(full.encode("utf-8")) > MAX_KEY_BYTES:
            raise InvalidValue("key", f"storage key longer than {MAX_KEY_BYTES} bytes")
        return full

    def _build_client(self) -> Any:
        config = Config(
            region_name=self.region,
            signature_version="s3v4",
            retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            max_pool_connections=MAX_POOL_CONNECTIONS,
            s3={"addressing_style": "path" if self.endpoint_url else "auto"},
        )
        session = boto3.session.Session(
            aws_access_key_id=self._access_key_id,
            aws_secret_access_key=self._secret_access_key,
            region_name=self.region,
        )
        return session.client("s3", endpoint_url=self.endpoint_url, config=config)

    def _ensure_bucket(self, client: Any) -> None:
        try:
            client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as error:
            if _error_code(error) not in _MISSING_BUCKET and _http_status(error) != 404:
                raise
        create: dict[str, Any] = {"Bucket": self.bucket}
        if self.region != "us-east-1":
            create["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        try:
            client.create_bucket(**create)
        except ClientError as error:
            code = _error_code(error)
            if code == "BucketAlreadyExists":
                # Someone created it in between; it is only fine if we can use it.
                client.head_bucket(Bucket=self.bucket)
            elif code != "BucketAlreadyOwnedByYou":
                raise

    def _s3(self) -> Any:
        """The client, built (and the bucket created) once, by the first thread that gets here."""
        client = self._client
        if client is not None and self._bucket_ready:
            return client
        with self._lock:
            if self._client is None:
                self._client = self._build_client()
                self._access_key_id = self._secret_access_key = None
            if not self._bucket_ready:
                self._ensure_bucket(self._client)
                self._bucket_ready = True
            return self._client

    # -- ObjectStorage ----------------------------------------------------------------------

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store the object with its content type; S3 replaces whole objects atomically."""
        full = self.object_key(key)
        self._s3().put_object(
            Bucket=self.bucket,
            Key=full,
            Body=data,
            ContentType=content_type or DEFAULT_CONTENT_TYPE,
        )

    def put_file(self, key: str, source: IO[bytes], content_type: str) -> None:
        """Store the file from its start in one PUT; boto3 reads (and hashes) it in chunks."""
        full = self.object_key(key)
        source.seek(0)
        self._s3().put_object(
            Bucket=self.bucket,
            Key=full,
            Body=source,
            ContentType=content_type or DEFAULT_CONTENT_TYPE,
        )

    def get(self, key: str) -> bytes:
        """The object's bytes, or NotFound."""
        full = self.object_key(key)
        try:
            response = self._s3().get_object(Bucket=self.bucket, Key=full)
        except ClientError as error:
            if _error_code(error) in _MISSING_OBJECT:
                raise NotFound("object", key) from None
            raise
        body = response["Body"]
        try:
            return bytes(body.read())
        finally:
            body.close()

    def delete(self, key: str) -> None:
        """Remove the object; a missing object is not an error."""
        full = self.object_key(key)
        try:
            self._s3().delete_object(Bucket=self.bucket, Key=full)
        except ClientError as error:
            if _error_code(error) not in _MISSING_OBJECT:
                raise

    def exists(self, key: str) -> bool:
        """Whether the object is stored (a HEAD request; 404 means no)."""
        full = self.object_key(key)
        try:
            self._s3().head_object(Bucket=self.bucket, Key=full)
        except ClientError as error:
            if _error_code(error) in _MISSING_OBJECT or _http_status(error) == 404:
                return False
            raise
        return True

    def url(self, key: str, expires_in: int) -> str:
        """A presigned GET URL valid for `expires_in` seconds (1 s to 7 days)."""
        full = self.object_key(key)
        if isinstance(expires_in, bool) or not 1 <= expires_in <= MAX_URL_EXPIRY:
            raise InvalidValue("expires_in", f"must be between 1 and {MAX_URL_EXPIRY} seconds")
        url: str = self._s3().generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": full},
            ExpiresIn=expires_in,
            HttpMethod="GET",
        )
        return url
