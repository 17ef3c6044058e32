"""Operations routes, the OpenAPI document, CORS, request ids and the access log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from genmedia.entrypoints.container import Container
from genmedia.entrypoints.http.app import create_app
from tests.http.conftest import PASSWORD, Registered, http_container


def test_healthz_answers_while_the_process_serves(sqlite_client: TestClient[Any]) -> None:
    answer = sqlite_client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_readyz_probes_the_database_the_broker_and_the_storage(client: TestClient[Any]) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "storage": "ok"},
    }


@pytest.fixture
def unreachable_database(tmp_path: Path) -> Iterator[Container]:
    """A container whose PostgreSQL server does not exist (a closed loopback port)."""
    container = http_container(tmp_path, "postgresql://postgres@127.0.0.1:9/nothing")
    yield container
    container.shutdown_resources()


def test_readyz_is_a_503_naming_what_does_not_answer(unreachable_database: Container) -> None:
    with TestClient(create_app(unreachable_database)) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["status"] == "unavailable"
    assert answer.json()["checks"]["database"] == "unavailable"
    assert answer.json()["checks"]["storage"] == "ok"


def test_metrics_share_the_worker_s_registry_and_count_requests_by_route(
    client: TestClient[Any], container: Container, user: Registered
) -> None:
    client.get("/v1/me", headers=user.headers)
    client.get("/v1/nowhere")
    container.metrics().job_finished("completed", "local", 1.5)
    text = client.get("/metrics").text
    assert 'genmedia_http_requests_total{method="GET",route="/v1/me",status="200"} 1.0' in text
    assert 'route="unmatched",status="404"' in text
    assert 'genmedia_http_request_duration_seconds_count{method="GET",route="/v1/me"} 1.0' in text
    assert 'genmedia_jobs_finished_total{provider="local",status="completed"} 1.0' in text
    assert "genmedia_queue_depth" in text


def test_the_openapi_document_describes_the_routes(sqlite_client: TestClient[Any]) -> None:
    document = sqlite_client.get("/openapi.json").json()
    register = document["paths"]["/v1/auth/register"]["post"]
    assert {"201", "409", "422"} <= set(register["responses"])
    assert "Idempotency-Key" in [p["name"] for p in register.get("parameters", [])]
    assert document["paths"]["/v1/me"]["get"]["security"] == [{"BearerToken": []}]
    assert sqlite_client.get("/docs").status_code == 200
    assert sqlite_client.get("/docs/nothing").headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("http_settings", [{"cors_origins": "https://app.example"}])
def test_cors_allows_the_configured_origins_only(
    http_settings: dict[str, Any], sqlite_client: TestClient[Any]
) -> None:
    def preflight(origin: str) -> Any:
        return sqlite_client.options(
            "/v1/me",
            headers={"Origin": origin, "Access-Control-Request-Method": "GET"},
        )

    allowed = preflight("https://app.example")
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in preflight("https://evil.example").headers


def test_no_cors_headers_without_configured_origins(sqlite_client: TestClient[Any]) -> None:
    answer = sqlite_client.get("/healthz", headers={"Origin": "https://app.example"})
    assert "access-control-allow-origin" not in answer.headers


def test_the_access_log_has_the_request_id_and_no_secret(
    sqlite_client: TestClient[Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    registered = sqlite_client.post(
        "/v1/auth/register",
        json={"email": "log@example.com", "password": PASSWORD},
        headers={"X-Request-Id": "req-1"},
    ).json()
    token = registered["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    api = sqlite_client.post("/v1/api-tokens", json={"name": "ci"}, headers=bearer).json()
    sqlite_client.post("/v1/auth/login", json={"email": "log@example.com", "password": "wrong!!!"})
    sqlite_client.get("/v1/me?token=" + token, headers=bearer)
    access = [r for r in caplog.records if r.name == "genmedia.http.access"]
    fields = [r.http for r in access]  # type: ignore[attr-defined]
    assert fields[0]["request_id"] == "req-1"
    assert fields[0]["route"] == "/v1/auth/register"
    assert fields[0]["status"] == 201
    assert fields[-1]["user_id"] == registered["user"]["id"]
    # The server's records: the test client's own (httpx) logs its URLs.
    server = [r for r in caplog.records if not r.name.startswith("httpx")]
    logged = " ".join(f"{r.getMessage()} {getattr(r, 'http', '')}" for r in server)
    assert "/v1/me" in logged
    for secret in (token, api["token"], PASSWORD, "wrong!!!"):
        assert secret not in logged
