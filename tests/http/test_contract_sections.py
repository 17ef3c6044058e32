"""The served OpenAPI document and the Catalog, Generation and Wallet routes agree with API.md,
and answers match the document: every path, method and status code of those sections, then
schemathesis against the served document (authenticated, bounded examples): no answer is a
5xx, and every status, content type and body is one the document declares."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from litestar.testing import TestClient
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from genmedia.entrypoints.http.app import create_app
from tests.http.conftest import Registered, http_container, register_user

pytestmark = pytest.mark.integration

# API.md: Catalog, Generation (with batches) and Wallet (reads and redeem). Each route
# with the statuses the contract names, 401 on routes that need a token, 422 on those that
# take input, and 429 on every one.
SECTIONS: dict[tuple[str, str], set[str]] = {
    ("get", "/v1/features"): {"200", "422"},
    ("get", "/v1/features/{feature_id}"): {"200", "404"},
    ("get", "/v1/tags"): {"200", "422"},
    ("get", "/v1/templates"): {"200", "422"},
    ("get", "/v1/templates/{key}"): {"200", "404"},
    ("get", "/v1/provider-models"): {"200", "422"},
    ("post", "/v1/requests/estimate"): {"200", "401", "422"},
    ("post", "/v1/requests"): {"202", "401", "402", "422"},
    ("get", "/v1/requests"): {"200", "401", "422"},
    ("get", "/v1/requests/{request_id}"): {"200", "401", "404"},
    ("post", "/v1/requests/{request_id}/cancel"): {"200", "401", "404", "409"},
    ("delete", "/v1/requests/{request_id}"): {"204", "401", "404"},
    ("post", "/v1/batches"): {"202", "401", "402", "422"},
    ("get", "/v1/batches"): {"200", "401", "422"},
    ("get", "/v1/batches/{batch_id}"): {"200", "401", "404"},
    ("get", "/v1/wallet"): {"200", "401"},
    ("get", "/v1/wallet/transactions"): {"200", "401", "422"},
    ("post", "/v1/wallet/redeem"): {"200", "401", "404", "409", "422"},
    ("get", "/v1/credit-packs"): {"200", "401"},
}
IDEMPOTENT = {("post", "/v1/requests"), ("post", "/v1/batches"), ("post", "/v1/wallet/redeem")}
ANONYMOUS = {path for method, path in SECTIONS if path.startswith(("/v1/features", "/v1/t"))}
ANONYMOUS |= {"/v1/provider-models"}


@pytest.fixture
def document(sqlite_client: TestClient[Any]) -> dict[str, Any]:
    served: dict[str, Any] = sqlite_client.get("/openapi.json").json()
    return served


def _named(value: tuple[str, str] | set[str]) -> str:
    return " ".join(value if isinstance(value, tuple) else sorted(value))


@pytest.mark.parametrize(("route", "statuses"), SECTIONS.items(), ids=_named)
def test_each_route_of_the_sections_is_served_with_its_status_codes(
    document: dict[str, Any], route: tuple[str, str], statuses: set[str]
) -> None:
    method, path = route
    operation = document["paths"][path][method]
    assert statuses | {"429"} <= set(operation["responses"])
    assert ("security" in operation) == (path not in ANONYMOUS)
    headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
    assert ("Idempotency-Key" in headers) == (route in IDEMPOTENT or path.endswith("/cancel"))


def test_the_list_routes_take_a_limit_and_a_cursor(document: dict[str, Any]) -> None:
    lists = [path for (method, path) in SECTIONS if method == "get" and "{" not in path]
    for path in [p for p in lists if p != "/v1/wallet"]:
        names = {p["name"] for p in document["paths"][path]["get"]["parameters"]}
        assert {"limit", "cursor"} <= names, path


def test_the_body_of_a_request_for_a_generation_is_described_field_by_field(
    document: dict[str, Any],
) -> None:
    for path in ("/v1/requests", "/v1/requests/estimate"):
        body = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        assert set(body["schema"]["properties"]) == {
            "feature_id", "template_id", "user_prompt", "selected_options", "media_ids",
            "input_metadata", "params", "trained_model_id", "lora_weight", "project_id",
        }  # fmt: skip


def test_the_body_of_a_batch_is_described_field_by_field(document: dict[str, Any]) -> None:
    body = document["paths"]["/v1/batches"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["required"] == ["reference_media_ids"]
    assert set(body["schema"]["properties"]) == {
        "feature_id", "template_id", "user_prompt", "selected_options", "reference_media_ids",
        "images_per_reference", "input_metadata", "params", "trained_model_id", "lora_weight",
        "project_id",
    }  # fmt: skip


FUZZED = "^/v1/(features|tags|templates|provider-models|requests|batches|wallet|credit-packs)"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def fuzzed(tmp_path: Path, sqlite_url: str) -> Iterator[tuple[Any, Registered]]:
    """The served document of the sections on a seeded SQLite app, and a user to call as."""
    container = http_container(
        tmp_path / "home", sqlite_url, rate_limit_per_address=10**6, rate_limit_per_token=10**6
    )
    container.seed_catalog()
    app = create_app(container)
    with TestClient(app) as client:
        user = register_user(client)
        body = {"template_id": 2, "user_prompt": "x"}
        client.post("/v1/requests", json=body, headers=user.headers)
    yield schemathesis.openapi.from_asgi("/openapi.json", app).include(path_regex=FUZZED), user
    container.shutdown_resources()


def test_no_answer_is_a_server_error_or_outside_the_document(
    fuzzed: tuple[Any, Registered],
) -> None:
    schema, user = fuzzed
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {(o.method.lower(), o.path) for o in operations} == set(SECTIONS)
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
        def calls(case: Any) -> None:
            case.call_and_validate(headers=user.headers, checks=CHECKS)

        calls()
