"""Admin routes: every one refuses a caller without a token (401) or who is not an admin
(403), changing nothing; admins read the audit log of admin writes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from litestar.testing import TestClient

from genmedia.adapters.sql.tables import metadata
from genmedia.application.admin.audit import audit
from genmedia.entrypoints.container import Container
from tests.http.conftest import Register, Registered

METHODS = ("get", "post", "put", "patch", "delete")


def _admin_routes(client: TestClient[Any]) -> list[tuple[str, str]]:
    paths = client.get("/openapi.json").json()["paths"]
    return sorted(
        (method.upper(), re.sub(r"\{[^}]*\}", "1", path))
        for path, item in paths.items()
        if path.startswith("/v1/admin/")
        for method in item
        if method in METHODS
    )


def _everything(container: Container) -> dict[str, list[tuple[Any, ...]]]:
    with container.engine().connect() as connection:
        return {
            table.name: sorted(
                (tuple(map(repr, row)) for row in connection.execute(sa.select(table))), key=str
            )
            for table in metadata.sorted_tables
        }


def _record(container: Container, actor: Registered, entity: str, before: Any, after: Any) -> None:
    uow = container.uow()
    with uow:
        audit(uow, actor.id, "update", entity, 7, before, after, datetime.now(UTC))
        uow.commit()


def test_every_admin_route_refuses_anyone_but_an_admin_and_changes_nothing(
    client: TestClient[Any], container: Container, register: Register, admin: Registered
) -> None:
    routes = _admin_routes(client)
    assert ("GET", "/v1/admin/audit") in routes
    user = register()
    before = _everything(container)
    wrong = []
    for method, path in routes:
        for headers, status, code in ((user.headers, 403, "forbidden"), ({}, 401, "unauthorized")):
            answer = client.request(method, path, headers=headers, json={"name": "x"})
            if (answer.status_code, answer.json().get("code")) != (status, code):
                wrong.append(f"{method} {path} as {code}: {answer.status_code} {answer.text}")
    assert wrong == []
    assert _everything(container) == before


def test_an_admin_reads_every_admin_write_newest_first_with_what_changed(
    client: TestClient[Any], container: Container, admin: Registered
) -> None:
    _record(container, admin, "feature", {"name": "a", "price": 1}, {"name": "a", "price": 2})
    _record(container, admin, "setting", {"value": "***"}, None)
    answer = client.get("/v1/admin/audit", headers=admin.headers, params={"limit": 1})
    assert answer.status_code == 200, answer.text
    page = answer.json()
    [newest] = page["items"]
    assert (newest["entity"], newest["after"], newest["actor_id"]) == ("setting", None, admin.id)
    following = client.get(
        "/v1/admin/audit", headers=admin.headers, params={"cursor": page["next_cursor"]}
    ).json()
    [first] = following["items"]
    assert (first["entity"], first["entity_id"], first["action"]) == ("feature", "7", "update")
    assert (first["before"]["price"], first["after"]["price"], first["changed"]) == (
        1,
        2,
        ["price"],
    )
    assert following["next_cursor"] is None


def test_the_audit_log_is_empty_until_an_admin_writes(
    client: TestClient[Any], admin: Registered
) -> None:
    answer = client.get("/v1/admin/audit", headers=admin.headers)
    assert answer.json() == {"items": [], "next_cursor": None}
