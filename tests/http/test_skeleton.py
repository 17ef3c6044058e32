"""The app's conventions on both databases: problem details, auth, request ids, paging."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from genmedia.entrypoints.http.pagination import Cursors, InvalidCursor
from tests.http.conftest import Registered

PROBLEM = "application/problem+json"


def test_a_registered_user_sees_themselves_and_their_welcome_credits(
    client: TestClient[Any], user: Registered
) -> None:
    me = client.get("/v1/me", headers=user.headers)
    assert me.status_code == 200
    assert me.json()["email"] == user.email
    assert me.json()["wallet"] == {"balance": 100, "held": 0, "available": 100}


def test_a_call_without_a_token_is_refused_with_a_problem(client: TestClient[Any]) -> None:
    answer = client.get("/v1/me")
    assert answer.status_code == 401
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["code"] == "unauthorized"
    assert answer.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [("GET", "/nowhere", 404, "not_found"), ("DELETE", "/v1/me", 405, "method_not_allowed")],
)
def test_the_framework_s_own_errors_are_problems(
    sqlite_client: TestClient[Any], method: str, path: str, status: int, code: str
) -> None:
    answer = sqlite_client.request(method, path)
    assert answer.status_code == status
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["code"] == code
    assert answer.json()["status"] == status


def test_malformed_json_is_a_400(sqlite_client: TestClient[Any]) -> None:
    answer = sqlite_client.post(
        "/v1/auth/register", content=b'{"email": ', headers={"content-type": "application/json"}
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "malformed"


def test_a_wrong_type_is_a_422_naming_the_field(sqlite_client: TestClient[Any]) -> None:
    answer = sqlite_client.post("/v1/auth/register", json={"email": "a@b.co", "password": 12345678})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "password", "message": "Expected `str`, got `int`"}
    ]


def test_a_missing_field_is_named(sqlite_client: TestClient[Any]) -> None:
    answer = sqlite_client.post("/v1/auth/register", json={"password": "long enough"})
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["email"]


def test_every_answer_carries_a_request_id(sqlite_client: TestClient[Any]) -> None:
    mine = sqlite_client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert mine.headers["x-request-id"] == "abc-123"
    new = sqlite_client.get("/nowhere", headers={"X-Request-Id": "no spaces allowed"})
    assert new.headers["x-request-id"] not in ("", "no spaces allowed")


def test_a_cursor_reads_back_only_on_its_own_list() -> None:
    cursors = Cursors(b"k" * 32)
    cursor = cursors.encode("/v1/media", [42, "x"])
    assert cursors.decode("/v1/media", cursor) == (42, "x")
    with pytest.raises(InvalidCursor):
        cursors.decode("/v1/requests", cursor)
    with pytest.raises(InvalidCursor):
        Cursors(b"other" * 8).decode("/v1/media", cursor)
    with pytest.raises(InvalidCursor):
        cursors.decode("/v1/media", "not-a-cursor!")
