"""Schemathesis against the served OpenAPI document, authenticated, on the embedded default.

The app is served by uvicorn on a loopback port. For every operation the document lists,
generated calls must answer below 500, with a status code, content type and body that the
document declares. `GENMEDIA_FUZZ_EXAMPLES` sets the examples per operation (`make fuzz`
runs a deeper pass than `make test`).
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from genmedia.entrypoints.http.app import create_app
from tests.http.api_contract import ROUTES
from tests.http.conftest import PASSWORD, http_container

EXAMPLES = int(os.environ.get("GENMEDIA_FUZZ_EXAMPLES", "12"))
# No 5xx, and every answer as the document declares it. (Schemathesis's stricter checks,
# such as "a schema-valid body is accepted", would need every domain rule in the schema.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[str]:
    """The base URL of the app on a seeded embedded database, served on a loopback port."""
    home = tmp_path_factory.mktemp("fuzz")
    database = home / "db.sqlite"
    database.write_bytes(sqlite_template.read_bytes())
    container = http_container(home, f"sqlite:///{database}", rate_limit_per_token=10**6)
    container.seed_catalog()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(container), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join()
    container.shutdown_resources()


@pytest.fixture(scope="module")
def token_headers(served: str) -> dict[str, str]:
    """The Authorization header of a user registered on the served app."""
    body = {"email": "fuzz@example.com", "password": PASSWORD}
    answer = httpx.post(f"{served}/v1/auth/register", json=body)
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


@pytest.fixture(scope="module")
def api(served: str) -> Any:
    """The served OpenAPI document, loaded by schemathesis."""
    return schemathesis.openapi.from_url(f"{served}/openapi.json")


def _operation(api: Any, method: str, shape: str) -> Any:
    for result in api.get_all_operations():
        operation = result.ok()
        if operation.method.upper() == method and _shape(operation.path) == shape:
            return operation
    pytest.fail(f"{method} {shape} is not in the served document")


def _shape(path: str) -> str:
    parts = [("{}" if part.startswith("{") else part) for part in path.split("/")]
    return "/".join(parts)


@pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
def test_no_generated_call_breaks_the_server_or_the_document(
    api: Any, served: str, token_headers: dict[str, str], method: str, path: str
) -> None:
    operation = _operation(api, method, path)

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=not os.environ.get("GENMEDIA_FUZZ_RANDOM"),
    )
    def fuzz(case: Any) -> None:
        case.call_and_validate(base_url=served, headers=token_headers, checks=CHECKS)

    fuzz()
