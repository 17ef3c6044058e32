"""Rate limits (429 with Retry-After) and the throttling of failed logins."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from litestar.testing import TestClient

from genmedia.adapters.limits import RedisCounters
from genmedia.entrypoints.http.app import create_app
from tests.http.conftest import PASSWORD, Register, Registered, http_container, register_user

REDIS_URL = "redis://127.0.0.1:6379/0"


def _login(client: TestClient[Any], email: str, password: str) -> Any:
    return client.post("/v1/auth/login", json={"email": email, "password": password})


def _assert_limited(answer: Any) -> None:
    assert answer.status_code == 429
    assert answer.json()["code"] == "rate_limited"
    assert int(answer.headers["retry-after"]) >= 1


@pytest.mark.parametrize("http_settings", [{"rate_limit_per_token": 3}])
def test_a_token_over_its_limit_gets_429_with_retry_after(
    http_settings: dict[str, Any], client: TestClient[Any], register: Register
) -> None:
    alice, bob = register(), register()
    for _ in range(3):
        assert client.get("/v1/me", headers=alice.headers).status_code == 200
    _assert_limited(client.get("/v1/me", headers=alice.headers))
    assert client.get("/v1/me", headers=bob.headers).status_code == 200
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("http_settings", [{"rate_limit_per_address": 2}])
def test_anonymous_calls_are_limited_per_address(
    http_settings: dict[str, Any], sqlite_client: TestClient[Any]
) -> None:
    for _ in range(2):
        assert _login(sqlite_client, "who@example.com", PASSWORD).status_code == 401
    _assert_limited(_login(sqlite_client, "who@example.com", PASSWORD))


@pytest.mark.parametrize("http_settings", [{"login_failures_per_account": 3}])
def test_an_account_s_failed_logins_are_throttled_even_for_the_right_password(
    http_settings: dict[str, Any], client: TestClient[Any], user: Registered, register: Register
) -> None:
    for _ in range(3):
        assert _login(client, user.email, "wrong password").status_code == 401
    _assert_limited(_login(client, user.email, user.password))
    other = register()
    assert _login(client, other.email, other.password).status_code == 200


@pytest.mark.parametrize("http_settings", [{"login_failures_per_account": 3}])
def test_a_successful_login_clears_the_account_s_failures(
    http_settings: dict[str, Any], client: TestClient[Any], user: Registered
) -> None:
    for _ in range(2):
        _login(client, user.email, "wrong password")
    assert _login(client, user.email, user.password).status_code == 200
    for _ in range(2):
        assert _login(client, user.email, "wrong password").status_code == 401
    assert _login(client, user.email, user.password).status_code == 200


@pytest.mark.parametrize("http_settings", [{"login_failures_per_address": 3}])
def test_failed_logins_from_one_address_are_throttled_across_accounts(
    http_settings: dict[str, Any], client: TestClient[Any], user: Registered
) -> None:
    for n in range(3):
        assert _login(client, f"guess{n}@example.com", "guess").status_code == 401
    _assert_limited(_login(client, user.email, user.password))


@pytest.fixture
def redis_settings() -> Iterator[dict[str, Any]]:
    """Settings that count in Redis, under a namespace of this test's own."""
    namespace = f"genmedia-test-{secrets.token_hex(4)}"
    yield {"redis_url": REDIS_URL, "redis_namespace": namespace, "rate_limit_per_token": 2}
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{namespace}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def test_with_redis_the_limits_are_counted_there(
    sqlite_url: str, tmp_path: Path, redis_settings: dict[str, Any]
) -> None:
    container = http_container(tmp_path, sqlite_url, **redis_settings)
    try:
        with TestClient(create_app(container)) as client:
            user = register_user(client)
            for _ in range(2):
                assert client.get("/v1/me", headers=user.headers).status_code == 200
            _assert_limited(client.get("/v1/me", headers=user.headers))
    finally:
        container.shutdown_resources()
    stored = redis.Redis.from_url(REDIS_URL)
    assert list(stored.scan_iter(f"{redis_settings['redis_namespace']}:limits:rate:token:*"))
    stored.close()


def test_redis_counters_count_hits_in_a_window_and_forget_them(
    redis_settings: dict[str, Any],
) -> None:
    counters = RedisCounters(REDIS_URL, redis_settings["redis_namespace"])
    try:
        assert counters.peek("k").hits == 0
        assert counters.hit("k", 60).hits == 1
        second = counters.hit("k", 60)
        assert second.hits == 2
        assert 0 < second.resets_in <= 60
        assert counters.peek("k").hits == 2
        counters.clear("k")
        assert counters.peek("k").hits == 0
    finally:
        counters.close()


def test_redis_counters_hit_from_an_event_loop_shares_the_window_of_plain_hits(
    redis_settings: dict[str, Any],
) -> None:
    counters = RedisCounters(REDIS_URL, redis_settings["redis_namespace"])

    async def from_loop() -> list[int]:
        hits = [(await counters.hit_from_loop("k", 60)).hits for _ in range(2)]
        await counters.leave_loop()
        hits.append((await counters.hit_from_loop("k", 60)).hits)  # a new client after leaving
        await counters.leave_loop()
        return hits

    try:
        assert counters.hit("k", 60).hits == 1
        assert asyncio.run(from_loop()) == [2, 3, 4]
        assert asyncio.run(from_loop()) == [5, 6, 7]
        assert counters.peek("k").hits == 7
    finally:
        counters.close()
