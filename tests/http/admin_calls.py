"""Calls of the admin routes that the admin catalog tests share."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.http.conftest import Registered


def ok(answer: Any, status: int = 200) -> Any:
    """The JSON body of an answer that must have this status."""
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else None


def fields_named(answer: Any) -> set[str]:
    """The fields a 422 answer names; fails unless it is one."""
    assert answer.status_code == 422, answer.text
    return {error["field"] for error in answer.json()["errors"]}


def audit_entries(client: TestClient[Any], admin: Registered) -> list[dict[str, Any]]:
    """Every audit entry, oldest first."""
    entries: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = ok(client.get("/v1/admin/audit", headers=admin.headers, params=params))
        entries += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return entries[::-1]


def listed_ids(
    client: TestClient[Any], path: str, admin: Registered | None = None, **query: Any
) -> set[int]:
    """The ids a list shows (its first 100), called anonymously or as `admin`."""
    headers = admin.headers if admin else {}
    page = ok(client.get(path, params={"limit": 100, **query}, headers=headers))
    return {item["id"] for item in page["items"]}
