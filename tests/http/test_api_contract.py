"""The served OpenAPI document describes every route, method and status code of API.md."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.http.api_contract import ANONYMOUS, AUTHENTICATED, COMMON, PAGED, ROUTES

Operations = dict[tuple[str, str], dict[str, Any]]


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


@pytest.fixture
def served(sqlite_client: TestClient[Any]) -> dict[str, Any]:
    """The OpenAPI document the app serves."""
    answer = sqlite_client.get("/openapi.json")
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


@pytest.fixture
def operations(served: dict[str, Any]) -> Operations:
    """The served operations by (METHOD, path with `{}` parameters)."""
    return {
        (method.upper(), _shape(path)): operation
        for path, item in served["paths"].items()
        for method, operation in item.items()
        if method in {"get", "put", "post", "delete", "patch"}
    }


@pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
def test_every_route_of_the_contract_is_served_with_its_status_codes(
    operations: Operations, method: str, path: str
) -> None:
    assert (method, path) in operations, f"{method} {path} is not in /openapi.json"
    documented = {int(code) for code in operations[method, path]["responses"]}
    expected = set(ROUTES[method, path]) | (set(COMMON) if path.startswith("/v1/") else set())
    if (method, path) not in ANONYMOUS:
        expected |= set(AUTHENTICATED)
    assert expected <= documented, f"{method} {path} lacks {sorted(expected - documented)}"


@pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
def test_routes_that_need_a_token_say_so_and_anonymous_ones_do_not(
    operations: Operations, method: str, path: str
) -> None:
    secured = bool(operations[method, path].get("security"))
    assert secured == ((method, path) not in ANONYMOUS)


@pytest.mark.parametrize("path", PAGED)
def test_every_list_takes_a_limit_and_a_cursor_and_answers_a_page(
    operations: Operations, served: dict[str, Any], path: str
) -> None:
    operation = operations["GET", path]
    names = {parameter["name"] for parameter in operation.get("parameters", [])}
    assert {"limit", "cursor"} <= names
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = served["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    assert {"items", "next_cursor"} <= set(schema["properties"])


def test_every_error_answer_of_the_api_is_a_problem_document(operations: Operations) -> None:
    api = {
        route: operation for route, operation in operations.items() if route[1].startswith("/v1/")
    }
    for (method, path), operation in api.items():
        for code, answer in operation["responses"].items():
            if int(code) >= 400:
                assert "application/problem+json" in answer.get("content", {}), (
                    f"{method} {path} {code} is not problem+json"
                )
