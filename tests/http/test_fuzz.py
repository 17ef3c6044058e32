"""Schemathesis against the served OpenAPI document, authenticated, on the embedded default.

The app is served by `genmedia serve` (granian) on a loopback port. For every operation of
the contract, generated calls must answer below 500, with a status code, content type and
body that the document declares. `GENMEDIA_FUZZ_EXAMPLES` sets the examples per
operation (`make fuzz` runs a deeper pass than `make test`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.http.api_contract import ROUTES
from tests.http.conftest import PASSWORD
from tests.http.served import genmedia, served

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


@pytest.fixture(scope="module")
def served_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of `genmedia serve` on a seeded embedded home of its own."""
    home = tmp_path_factory.mktemp("fuzz")
    env = {"GENMEDIA_HOME": str(home), "GENMEDIA_RATE_LIMIT_PER_TOKEN": "1000000"}
    genmedia("db", "upgrade", env=env)
    genmedia("seed", env=env)
    with served(env, home / "serve.log") as server:
        yield server.base


@pytest.fixture(scope="module")
def token_headers(served_app: str) -> dict[str, str]:
    """The Authorization header of a user registered on the served app."""
    body = {"email": "fuzz@example.com", "password": PASSWORD}
    answer = httpx.post(f"{served_app}/v1/auth/register", json=body)
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


@pytest.fixture(scope="module")
def api(served_app: str) -> Any:
    """The served OpenAPI document, loaded by schemathesis."""
    return schemathesis.openapi.from_url(f"{served_app}/openapi.json")


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
    api: Any, served_app: str, token_headers: dict[str, str], method: str, path: str
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
        case.call_and_validate(base_url=served_app, headers=token_headers, checks=CHECKS)

    fuzz()
