"""Admin of templates (with their option groups) and provider models (API.md, Admin) on both
databases: create, read, change and delete them; public reads and prices follow; every write
is audited; bad input is named field by field and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from genmedia.entrypoints.container import Container
from tests.http.admin_calls import audit_entries, fields_named, listed_ids, ok
from tests.http.conftest import Registered

GROUPS = [
    {
        "group_name": "mood",
        "label": "Mood",
        "required": True,
        "options": [
            {"value": "calm", "label": "Calm", "prompt_fragment": "calm", "is_default": True},
            {"value": "storm", "label": "Storm", "prompt_fragment": "stormy", "sort_order": 1},
        ],
    },
    {"group_name": "extras", "label": "Extras", "multiple": True, "options": []},
]
SCHEMA = {
    "type": "object",
    "properties": {"steps": {"type": "integer", "minimum": 1, "maximum": 50, "default": 4}},
    "additionalProperties": False,
}
MODEL = {"provider": "local", "model_slug": "admin-made", "label": "Admin made",
         "param_schema": SCHEMA, "cost_per_use": 2}  # fmt: skip


@pytest.fixture(autouse=True)
def catalog(container: Container) -> None:
    """The sample catalog."""
    container.seed_catalog()


@pytest.fixture
def feature_id(client: TestClient[Any]) -> int:
    """The sample catalog's text-to-image feature."""
    features = ok(client.get("/v1/features"))["items"]
    return int(next(f["id"] for f in features if f["name"] == "Text to image"))


def _template(feature_id: int, **fields: Any) -> dict[str, Any]:
    return {
        "feature_id": feature_id, "name": "Seascape", "slug": "seascape", "price": 3,
        "template_prompt": "a seascape", "option_groups": GROUPS, "tags": ["sea"], **fields,
    }  # fmt: skip


def _create(client: TestClient[Any], admin: Registered, kind: str, body: Any) -> Any:
    return ok(client.post(f"/v1/admin/{kind}", json=body, headers=admin.headers), 201)


def test_a_template_is_written_with_its_option_groups_and_the_catalog_follows(
    client: TestClient[Any], admin: Registered, feature_id: int
) -> None:
    created = _create(client, admin, "templates", _template(feature_id))
    path = f"/v1/admin/templates/{created['id']}"
    public = ok(client.get("/v1/templates/seascape"))
    assert [g["group_name"] for g in public["option_groups"]] == ["mood", "extras"]
    assert [o["value"] for o in public["option_groups"][0]["options"]] == ["calm", "storm"]
    assert ok(client.get(path, headers=admin.headers))["option_groups"] == created["option_groups"]
    regrouped = [{"group_name": "light", "label": "Light", "options": [
        {"value": "dusk", "label": "Dusk", "params": {"steps": 8}}]}]  # fmt: skip
    changed = ok(client.patch(path, json={"option_groups": regrouped}, headers=admin.headers))
    assert [g["group_name"] for g in changed["option_groups"]] == ["light"]
    assert changed["option_groups"][0]["options"][0]["params"] == {"steps": 8}
    assert (changed["price"], changed["tags"]) == (3, ["sea"])
    public = ok(client.get("/v1/templates/seascape"))
    assert [g["group_name"] for g in public["option_groups"]] == ["light"]
    entry = audit_entries(client, admin)[-1]
    assert (entry["entity"], entry["action"], entry["changed"]) == (
        "template", "update", ["option_groups"],
    )  # fmt: skip
    assert entry["before"]["option_groups"][0]["group_name"] == "mood"
    assert entry["after"]["option_groups"][0]["options"][0]["id"] is not None


def test_a_deactivated_or_deleted_template_leaves_the_catalog_until_restored(
    client: TestClient[Any], admin: Registered, feature_id: int, user: Registered
) -> None:
    template = _create(client, admin, "templates", _template(feature_id))
    path, key = f"/v1/admin/templates/{template['id']}", template["id"]
    ok(client.patch(path, json={"is_active": False}, headers=admin.headers))
    assert key not in listed_ids(client, "/v1/templates")
    assert client.get("/v1/templates/seascape").status_code == 404
    request = {"template_id": key, "user_prompt": "waves"}
    refused = client.post("/v1/requests/estimate", json=request, headers=user.headers)
    assert refused.status_code in (404, 422), refused.text
    ok(client.patch(path, json={"is_active": True}, headers=admin.headers))
    assert key in listed_ids(client, "/v1/templates")
    ok(client.delete(path, headers=admin.headers), 204)
    assert key not in listed_ids(client, "/v1/templates")
    assert client.get(f"/v1/templates/{key}").status_code == 404
    assert key in listed_ids(client, "/v1/admin/templates", admin, deleted=True)
    assert client.patch(path, json={"price": 1}, headers=admin.headers).status_code == 409
    assert client.post("/v1/admin/templates", json=_template(feature_id),
                       headers=admin.headers).status_code == 409  # fmt: skip
    ok(client.post(f"{path}/restore", headers=admin.headers))
    assert key in listed_ids(client, "/v1/templates")
    actions = [e["action"] for e in audit_entries(client, admin)]
    assert actions == ["create", "update", "update", "delete", "restore"]


def test_a_repriced_template_is_estimated_at_its_new_price(
    client: TestClient[Any], admin: Registered, user: Registered
) -> None:
    neon = ok(client.get("/v1/templates/neon-city"))
    request = {"template_id": neon["id"], "user_prompt": "rain"}
    before = ok(client.post("/v1/requests/estimate", json=request, headers=user.headers))
    path = f"/v1/admin/templates/{neon['id']}"
    ok(client.patch(path, json={"price": neon["price"] + 7}, headers=admin.headers))
    after = ok(client.post("/v1/requests/estimate", json=request, headers=user.headers))
    assert after["estimated_cost"] == before["estimated_cost"] + 7


def test_a_template_refers_only_to_a_live_feature_and_to_models_and_tags_that_exist(
    client: TestClient[Any], admin: Registered, feature_id: int
) -> None:
    body = _template(999_999, provider_model_id=999_999, legacy_provider_model_id=999_998,
                     tag_id=999_997)  # fmt: skip
    answer = client.post("/v1/admin/templates", json=body, headers=admin.headers)
    assert fields_named(answer) == {
        "feature_id", "provider_model_id", "legacy_provider_model_id", "tag_id"
    }  # fmt: skip
    sketch = _create(client, admin, "features", {"name": "Sketch"})
    ok(client.delete(f"/v1/admin/features/{sketch['id']}", headers=admin.headers), 204)
    answer = client.post("/v1/admin/templates", json=_template(sketch["id"]), headers=admin.headers)
    assert fields_named(answer) == {"feature_id"}


ODD_TEMPLATES = [
    ({"price": -1}, {"price"}),
    ({"slug": "12345"}, {"slug"}),
    ({"slug": "sea scape"}, {"slug"}),
    ({"name": None, "slug": None, "price": "3"}, {"name", "slug", "price"}),
    ({"option_groups": [{"group_name": "g", "label": "G", "options": [
        {"value": "a", "label": "A"}, {"value": "a", "label": "B"}]}]}, {"option_groups.g"}),
    ({"option_groups": [{"group_name": "g", "label": "G"}, {"group_name": "g", "label": "H"}]},
     {"option_groups"}),
    ({"option_groups": [{"label": "G", "options": [{"value": 3}]}]},
     {"option_groups.0.group_name", "option_groups.0.options.0.value",
      "option_groups.0.options.0.label"}),
    ({"option_groups": {"g": []}}, {"option_groups"}),
    ({"image_slots": [{"name": "face", "min": 3, "max": 1}]}, {"image_slots.face"}),
    ({"trend_start_date": "2026-02-01T00:00:00Z", "trend_end_date": "2026-02-01"},
     {"trend_end_date"}),
    ({"trend_start_date": "yesterday", "tags": [1, None]},
     {"trend_start_date", "tags.0", "tags.1"}),
    ({"template_prompt": "p" * 20_000, "system_images": "x"}, {"template_prompt", "system_images"}),
]  # fmt: skip


@pytest.mark.parametrize(("fields", "named"), ODD_TEMPLATES, ids=range(len(ODD_TEMPLATES)))
def test_an_odd_template_body_is_refused_naming_its_fields_and_nothing_is_written(
    client: TestClient[Any], admin: Registered, feature_id: int, fields: Any, named: set[str]
) -> None:
    created = client.post("/v1/admin/templates", json=_template(feature_id, **fields),
                          headers=admin.headers)  # fmt: skip
    assert fields_named(created) == named
    neon = ok(client.get("/v1/templates/neon-city"))
    changed = client.patch(f"/v1/admin/templates/{neon['id']}", json=fields, headers=admin.headers)
    assert fields_named(changed) == named
    assert ok(client.get("/v1/templates/neon-city")) != neon  # one more view counted
    assert audit_entries(client, admin) == []


def test_a_template_without_a_feature_is_refused_naming_feature_id(
    client: TestClient[Any], admin: Registered, feature_id: int
) -> None:
    body = {**_template(feature_id), "feature_id": None}
    assert fields_named(client.post("/v1/admin/templates", json=body, headers=admin.headers)) == {
        "feature_id"
    }
    neon = ok(client.get("/v1/templates/neon-city"))
    changed = client.patch(
        f"/v1/admin/templates/{neon['id']}", json={"feature_id": None}, headers=admin.headers
    )
    assert fields_named(changed) == {"feature_id"}
    assert audit_entries(client, admin) == []


def test_a_provider_model_is_created_repriced_and_deleted_while_unused(
    client: TestClient[Any], admin: Registered
) -> None:
    model = _create(client, admin, "provider-models", MODEL)
    assert model["param_schema"] == SCHEMA
    assert model["id"] in listed_ids(client, "/v1/provider-models")
    path = f"/v1/admin/provider-models/{model['id']}"
    changed = ok(client.patch(path, json={"cost_per_use": 9}, headers=admin.headers))
    assert changed["cost_per_use"] == 9
    ok(client.patch(path, json={"is_active": False}, headers=admin.headers))
    assert model["id"] not in listed_ids(client, "/v1/provider-models")
    assert model["id"] in listed_ids(client, "/v1/admin/provider-models", admin)
    taken = client.post("/v1/admin/provider-models", json=MODEL, headers=admin.headers)
    assert taken.status_code == 409
    ok(client.delete(path, headers=admin.headers), 204)
    assert client.get(path, headers=admin.headers).status_code == 404
    actions = [(e["entity"], e["action"]) for e in audit_entries(client, admin)]
    assert actions == [("provider_model", a) for a in ("create", "update", "update", "delete")]


def test_a_provider_model_in_use_cannot_be_deleted(
    client: TestClient[Any], admin: Registered
) -> None:
    models = ok(client.get("/v1/provider-models", params={"limit": 100}))["items"]
    used = next(m for m in models if m["model_slug"] == "local-t2i")
    answer = client.delete(f"/v1/admin/provider-models/{used['id']}", headers=admin.headers)
    assert (answer.status_code, answer.json()["code"]) == (409, "conflict")
    assert used["id"] in listed_ids(client, "/v1/provider-models")
    assert audit_entries(client, admin) == []


ODD_MODELS = [
    ({"param_schema": {"type": "object", "oneOf": []}}, {"param_schema"}),
    ({"param_schema": {"properties": {"s": {"type": "string", "pattern": "("}}}},
     {"param_schema.properties.s.pattern"}),
    ({"param_schema": {"properties": []}}, {"param_schema.properties"}),
    ({"param_schema": {"type": "decimal"}}, {"param_schema.type"}),
    ({"param_schema": {"properties": {"n": {"maximum": "9"}}}},
     {"param_schema.properties.n.maximum"}),
    ({"param_schema": None, "limits": None}, {"param_schema", "limits"}),
    ({"limits": {"max_batch_size": "4"}}, {"limits.max_batch_size"}),
    ({"provider": " "}, {"provider"}),
    ({"cost_per_use": -2}, {"cost_per_use"}),
    ({"category": "t2v", "provider": 1, "label": "l" * 129}, {"category", "provider", "label"}),
]  # fmt: skip


@pytest.mark.parametrize(("fields", "named"), ODD_MODELS, ids=range(len(ODD_MODELS)))
def test_an_odd_provider_model_body_is_refused_naming_its_fields_and_nothing_is_written(
    client: TestClient[Any], admin: Registered, fields: Any, named: set[str]
) -> None:
    created = client.post("/v1/admin/provider-models", json={**MODEL, **fields},
                          headers=admin.headers)  # fmt: skip
    assert fields_named(created) == named
    changed = client.patch("/v1/admin/provider-models/1", json=fields, headers=admin.headers)
    assert fields_named(changed) == named
    assert audit_entries(client, admin) == []
