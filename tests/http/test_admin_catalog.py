"""Admin of features and tags (API.md, Admin) on both databases: create, read, change and
delete them; public reads follow; every write is audited with before and after; bad input
is named field by field and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from genmedia.entrypoints.container import Container
from tests.http.admin_calls import audit_entries, fields_named, listed_ids, ok
from tests.http.conftest import Registered

COST = "properties.cost_per_generation"
FEATURE = {"name": "Sketch", "category": "image", "properties": {"cost_per_generation": 2}}


@pytest.fixture(autouse=True)
def catalog(container: Container) -> None:
    """The sample catalog."""
    container.seed_catalog()


def _create(client: TestClient[Any], admin: Registered, kind: str, body: Any) -> Any:
    return ok(client.post(f"/v1/admin/{kind}", json=body, headers=admin.headers), 201)


def test_a_feature_is_created_changed_deleted_and_restored_and_the_catalog_follows(
    client: TestClient[Any], admin: Registered
) -> None:
    feature = _create(client, admin, "features", FEATURE)
    path = f"/v1/admin/features/{feature['id']}"
    assert feature["id"] in listed_ids(client, "/v1/features")
    assert ok(client.get(path, headers=admin.headers)) == feature
    changed = ok(client.patch(path, json={"name": "Line art"}, headers=admin.headers))
    assert (changed["name"], changed["properties"]) == ("Line art", FEATURE["properties"])
    ok(client.patch(path, json={"is_active": False}, headers=admin.headers))
    assert feature["id"] not in listed_ids(client, "/v1/features")
    assert client.get(f"/v1/features/{feature['id']}").status_code == 404
    listed = ok(client.get("/v1/admin/features", headers=admin.headers))["items"]
    assert listed[0]["id"] == feature["id"]
    assert listed[0]["is_active"] is False
    ok(client.delete(path, headers=admin.headers), 204)
    assert client.delete(path, headers=admin.headers).status_code == 409
    assert feature["id"] not in listed_ids(client, "/v1/admin/features", admin)
    assert feature["id"] in listed_ids(client, "/v1/admin/features", admin, deleted=True)
    assert client.patch(path, json={"name": "x"}, headers=admin.headers).status_code == 409
    restored = ok(client.post(f"{path}/restore", headers=admin.headers))
    assert restored["deleted_at"] is None
    entries = audit_entries(client, admin)
    assert [(e["action"], e["changed"]) for e in entries[1:]] == [
        ("update", ["name"]),
        ("update", ["is_active"]),
        ("delete", sorted(k for k, v in restored.items() if v is not None and v != {})),
        ("restore", ["deleted_at"]),
    ]
    assert (entries[0]["action"], entries[0]["before"]) == ("create", None)
    assert {k: entries[0]["after"][k] for k in FEATURE} == FEATURE
    assert entries[2]["after"]["deleted_at"] is None
    assert entries[4]["before"]["deleted_at"] is not None


def test_an_audited_change_records_the_admin_and_the_fields_before_and_after(
    client: TestClient[Any], admin: Registered
) -> None:
    feature = _create(client, admin, "features", FEATURE)
    body = {"properties": {"cost_per_generation": 5}, "order_index": 3}
    ok(client.patch(f"/v1/admin/features/{feature['id']}", json=body, headers=admin.headers))
    entry = audit_entries(client, admin)[-1]
    assert (entry["actor_id"], entry["entity"], entry["entity_id"]) == (
        admin.id, "feature", str(feature["id"]),
    )  # fmt: skip
    assert entry["before"]["properties"] == {"cost_per_generation": 2}
    assert entry["after"]["properties"] == {"cost_per_generation": 5}
    assert (entry["before"]["order_index"], entry["after"]["order_index"]) == (0, 3)


def test_a_patch_that_changes_nothing_writes_no_audit_entry(
    client: TestClient[Any], admin: Registered
) -> None:
    feature = _create(client, admin, "features", FEATURE)
    path = f"/v1/admin/features/{feature['id']}"
    assert ok(client.patch(path, json={"name": "Sketch"}, headers=admin.headers)) == feature
    assert ok(client.patch(path, json={}, headers=admin.headers)) == feature
    assert len(audit_entries(client, admin)) == 1


def test_a_live_feature_name_is_taken_until_that_feature_is_deleted(
    client: TestClient[Any], admin: Registered
) -> None:
    first = _create(client, admin, "features", FEATURE)
    taken = client.post("/v1/admin/features", json=FEATURE, headers=admin.headers)
    assert (taken.status_code, taken.json()["code"]) == (409, "conflict")
    rename = {"name": "Text to image"}
    path = f"/v1/admin/features/{first['id']}"
    assert client.patch(path, json=rename, headers=admin.headers).status_code == 409
    ok(client.delete(path, headers=admin.headers), 204)
    _create(client, admin, "features", FEATURE)
    assert client.post(f"{path}/restore", headers=admin.headers).status_code == 409


def test_a_feature_refers_only_to_provider_models_that_exist(
    client: TestClient[Any], admin: Registered
) -> None:
    body = {**FEATURE, "provider_model_id": 999_999, "legacy_provider_model_id": 999_998}
    answer = client.post("/v1/admin/features", json=body, headers=admin.headers)
    assert fields_named(answer) == {"provider_model_id", "legacy_provider_model_id"}


def test_a_repriced_feature_is_charged_at_its_new_price(
    client: TestClient[Any], container: Container, admin: Registered, user: Registered
) -> None:
    [feature] = [f for f in container.list_features().items if f.name == "Text to image"]
    body = {"feature_id": feature.id, "user_prompt": "a fox"}
    before = ok(client.post("/v1/requests/estimate", json=body, headers=user.headers))
    properties = {**feature.properties, "cost_per_generation": 40}
    path = f"/v1/admin/features/{feature.id}"
    ok(client.patch(path, json={"properties": properties}, headers=admin.headers))
    after = ok(client.post("/v1/requests/estimate", json=body, headers=user.headers))
    added = 40 - feature.cost_per_generation
    assert after["estimated_cost"] == before["estimated_cost"] + added


ODD_FEATURES = [
    ({"name": None}, {"name"}),
    ({"name": ""}, {"name"}),
    ({"name": 7, "category": "smell", "is_active": "yes"}, {"name", "category", "is_active"}),
    ({"name": "x" * 100_000}, {"name"}),
    ({"name": "Odd", "properties": {"cost_per_generation": -1}}, {COST}),
    ({"name": "Odd", "properties": {"cost_per_generation": "1"}}, {COST}),
    ({"name": "Odd", "order_index": 2**40}, {"order_index"}),
    ({"name": "Odd", "order_index": 1.5, "colour": "red"}, {"order_index", "colour"}),
    ({"name": "Odd", "provider_model_id": -3}, {"provider_model_id"}),
    ({"description": "no name"}, {"name"}),
    ([], {"body"}),
    ("feature", {"body"}),
]  # fmt: skip


@pytest.mark.parametrize(("body", "named"), ODD_FEATURES, ids=range(len(ODD_FEATURES)))
def test_an_odd_feature_body_is_refused_naming_its_fields_and_nothing_is_written(
    client: TestClient[Any], admin: Registered, body: Any, named: set[str]
) -> None:
    created = client.post("/v1/admin/features", json=body, headers=admin.headers)
    assert fields_named(created) == named
    if isinstance(body, dict) and "name" not in body:
        body = {**body, "name": None}
    changed = client.patch("/v1/admin/features/1", json=body, headers=admin.headers)
    assert changed.status_code == 422, changed.text
    assert audit_entries(client, admin) == []


def test_a_tag_is_created_changed_and_deleted_and_its_templates_lose_it(
    client: TestClient[Any], admin: Registered
) -> None:
    tag = _create(client, admin, "tags", {"name": "Noir", "color_from": "#000000"})
    assert tag["id"] in listed_ids(client, "/v1/tags")
    template = ok(client.get("/v1/templates/neon-city"))
    path = f"/v1/admin/templates/{template['id']}"
    ok(client.patch(path, json={"tag_id": tag["id"]}, headers=admin.headers))
    tag_path = f"/v1/admin/tags/{tag['id']}"
    changed = ok(client.patch(tag_path, json={"is_active": False}, headers=admin.headers))
    assert (changed["name"], changed["is_active"]) == ("Noir", False)
    assert tag["id"] not in listed_ids(client, "/v1/tags")
    assert ok(client.get(tag_path, headers=admin.headers)) == changed
    ok(client.delete(tag_path, headers=admin.headers), 204)
    assert client.get(tag_path, headers=admin.headers).status_code == 404
    assert ok(client.get("/v1/templates/neon-city"))["tag_id"] is None
    entries = [(e["entity"], e["action"]) for e in audit_entries(client, admin)]
    assert entries == [
        ("tag", "create"), ("template", "update"), ("tag", "update"), ("tag", "delete")
    ]  # fmt: skip


def test_a_tag_name_is_unique_and_a_bad_tag_is_named(
    client: TestClient[Any], admin: Registered
) -> None:
    taken = client.post("/v1/admin/tags", json={"name": "Portrait"}, headers=admin.headers)
    assert taken.status_code == 409
    odd = {"name": "y" * 65, "color_to": ["#fff"], "sort_order": None}
    answer = client.post("/v1/admin/tags", json=odd, headers=admin.headers)
    assert fields_named(answer) == {"name", "color_to", "sort_order"}
    fantasy = next(t for t in ok(client.get("/v1/tags"))["items"] if t["name"] == "Fantasy")
    rename = client.patch(
        f"/v1/admin/tags/{fantasy['id']}", json={"name": "Portrait"}, headers=admin.headers
    )
    assert rename.status_code == 409
    assert client.delete("/v1/admin/tags/999999", headers=admin.headers).status_code == 404
    assert audit_entries(client, admin) == []


def test_an_admin_list_pages_newest_first_through_every_object(
    client: TestClient[Any], admin: Registered
) -> None:
    hidden = _create(client, admin, "tags", {"name": "Hidden", "is_active": False})
    pages, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = ok(client.get("/v1/admin/tags", params=params, headers=admin.headers))
        pages.append([tag["id"] for tag in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    ids = [tag_id for page in pages for tag_id in page]
    assert ids == sorted(ids, reverse=True)
    assert ids[0] == hidden["id"]
    assert set(ids) == listed_ids(client, "/v1/tags") | {hidden["id"]}
    assert [len(page) for page in pages] == [2, 2]
