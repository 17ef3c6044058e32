"""Fixtures of the integration tests: a real S3 API (moto's server on a loopback port)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from genmedia.adapters.storage.s3 import S3Storage
from tests.integration.s3_server import (
    FAKE_ACCESS_KEY_ID,
    FAKE_SECRET_ACCESS_KEY,
    moto_s3_server,
)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The endpoint URL of one moto S3 server shared by the whole run."""
    with moto_s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def s3_storage(s3_endpoint: str) -> S3Storage:
    """An S3Storage on a fresh bucket of this test's own, created on first use."""
    return S3Storage(
        bucket=f"genmedia-test-{secrets.token_hex(6)}",
        endpoint_url=s3_endpoint,
        access_key_id=FAKE_ACCESS_KEY_ID,
        secret_access_key=FAKE_SECRET_ACCESS_KEY,
        create_bucket=True,
    )
