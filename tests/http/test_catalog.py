"""The Catalog routes (API.md, Catalog) on both databases: anonymous reads, filters, pages."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from genmedia.entrypoints.container import Container

PROBLEM = "application/problem+json"
FEATURE_FIELDS = {
    "id", "name", "description", "category", "properties", "preview_url", "icon_url",
    "order_index",
}  # fmt: skip
TAG_FIELDS = {"id", "name", "color_from", "color_to", "icon", "sort_order"}
CARD_FIELDS = {
    "id", "slug", "name", "feature_id", "tag_id", "tags", "preview_url", "price", "is_trending",
    "trend_score", "usage_count", "view_count",
}  # fmt: skip
TEMPLATE_FIELDS = CARD_FIELDS | {
    "description", "allow_user_custom_prompt", "image_slots", "capabilities",
    "provider_model_id", "option_groups",
}  # fmt: skip
GROUP_FIELDS = {"group_name", "label", "multiple", "required", "options"}
OPTION_FIELDS = {
    "id", "value", "label", "prompt_fragment", "icon", "thumbnail", "is_default", "sort_order"
}  # fmt: skip
MODEL_FIELDS = {
    "id", "provider", "model_slug", "label", "version", "category", "capabilities",
    "param_schema", "limits", "cost_per_use",
}  # fmt: skip


@pytest.fixture(autouse=True)
def catalog(container: Container) -> None:
    """The sample catalog."""
    container.seed_catalog()


def _items(client: TestClient[Any], path: str) -> list[dict[str, Any]]:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.json()["next_cursor"] is None
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def _slugs(client: TestClient[Any], query: str) -> list[str]:
    return [t["slug"] for t in _items(client, f"/v1/templates?{query}")]


def _every_page(client: TestClient[Any], path: str, **query: Any) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        params = query if cursor is None else {**query, "cursor": cursor}
        answer = client.get(path, params=params).json()
        pages.append([item["slug"] for item in answer["items"]])
        cursor = answer["next_cursor"]
        if cursor is None:
            return pages


def test_features_tags_and_models_are_read_without_a_token(client: TestClient[Any]) -> None:
    features = _items(client, "/v1/features")
    assert [f["name"] for f in features] == ["Text to image", "Image edit"]
    assert set(features[0]) >= FEATURE_FIELDS
    assert [f["name"] for f in _items(client, "/v1/features?category=video")] == []
    one = client.get(f"/v1/features/{features[1]['id']}")
    assert (one.status_code, one.json()["name"]) == (200, "Image edit")
    tags = _items(client, "/v1/tags")
    assert ([t["name"] for t in tags], set(tags[0]) >= TAG_FIELDS) == (
        ["Portrait", "Landscape", "Fantasy"],
        True,
    )
    models = _items(client, "/v1/provider-models?category=i2i")
    assert [m["model_slug"] for m in models] == ["local-i2i"]
    assert set(models[0]) >= MODEL_FIELDS
    assert len(_items(client, "/v1/provider-models")) == 9


def test_templates_are_listed_newest_first_with_their_named_fields(
    client: TestClient[Any],
) -> None:
    templates = _items(client, "/v1/templates")
    assert [t["slug"] for t in templates] == [
        "headshot-session", "bfl-product-shot", "fal-golden-hour", "quick-concept-art",
        "travel-poster", "restyle-photo", "alpine-landscape", "neon-city", "studio-portrait",
    ]  # fmt: skip
    assert set(templates[0]) >= CARD_FIELDS
    assert _every_page(client, "/v1/templates", limit=3) == [
        ["headshot-session", "bfl-product-shot", "fal-golden-hour"],
        ["quick-concept-art", "travel-poster", "restyle-photo"],
        ["alpine-landscape", "neon-city", "studio-portrait"],
    ]


def test_templates_are_searched_by_text_tag_tag_id_and_feature(client: TestClient[Any]) -> None:
    portrait = next(t for t in _items(client, "/v1/tags") if t["name"] == "Portrait")
    edit = next(f for f in _items(client, "/v1/features") if f["name"] == "Image edit")
    assert _slugs(client, "q=NEON") == ["neon-city"]
    assert _slugs(client, "q=seed%20003") == ["studio-portrait"]
    assert _slugs(client, "tag=mountains") == ["alpine-landscape"]
    assert _slugs(client, f"tag_id={portrait['id']}") == [
        "headshot-session", "bfl-product-shot", "studio-portrait"
    ]  # fmt: skip
    assert _slugs(client, f"feature_id={edit['id']}") == ["headshot-session", "restyle-photo"]
    assert _slugs(client, "tag=city&q=alpine") == []


def test_a_template_is_read_by_id_or_slug_with_its_options_and_each_read_is_a_view(
    client: TestClient[Any],
) -> None:
    by_slug = client.get("/v1/templates/studio-portrait")
    assert by_slug.status_code == 200
    template = by_slug.json()
    assert set(template) >= TEMPLATE_FIELDS
    groups = {g["group_name"]: g for g in template["option_groups"]}
    assert set(groups["backgrounds"]) >= GROUP_FIELDS
    assert groups["backgrounds"]["multiple"] is True
    assert set(groups["hairColor"]["options"][0]) >= OPTION_FIELDS
    by_id = client.get(f"/v1/templates/{template['id']}").json()
    assert (template["view_count"], by_id["view_count"]) == (1, 2)
    listed = {t["slug"]: t for t in _items(client, "/v1/templates")}
    assert listed["studio-portrait"]["view_count"] == 2
    assert listed["neon-city"]["view_count"] == 0


@pytest.mark.parametrize("key", ["no-such-template", "999999", str(2**80), "-1"])
def test_an_unknown_template_is_a_404_problem(client: TestClient[Any], key: str) -> None:
    answer = client.get(f"/v1/templates/{key}")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["code"] == "not_found"


def test_an_unknown_feature_is_a_404_and_an_impossible_id_a_422(client: TestClient[Any]) -> None:
    assert client.get("/v1/features/999999").status_code == 404
    assert client.get(f"/v1/features/{2**70}").status_code in (400, 422)


def test_trending_lists_by_the_stored_score_after_the_periodic_refresh(
    client: TestClient[Any], container: Container
) -> None:
    for _ in range(3):
        client.get("/v1/templates/alpine-landscape")
    client.get("/v1/templates/neon-city")
    assert {t["trend_score"] for t in _items(client, "/v1/templates")} == {0}
    assert container.refresh_trends() == 2
    ranked = _items(client, "/v1/templates?trending=true")
    (first, alpine), (second, neon) = [(t["slug"], t["trend_score"]) for t in ranked[:2]]
    assert (first, second) == ("alpine-landscape", "neon-city")
    # Counted in this hour, both decay alike from a view's 100 (the real clock runs here).
    assert 0 < neon <= 100
    assert abs(alpine - 3 * neon) <= 2
    assert _every_page(client, "/v1/templates", trending="true", limit=1)[:2] == [
        ["alpine-landscape"],
        ["neon-city"],
    ]


@pytest.mark.parametrize("limit", ["0", "-5", "101", str(2**70), "ten"])
def test_a_bad_limit_is_a_422_naming_it(client: TestClient[Any], limit: str) -> None:
    answer = client.get("/v1/templates", params={"limit": limit})
    assert answer.status_code in (400, 422)
    assert answer.headers["content-type"] == PROBLEM
    assert "limit" in answer.text


def test_a_forged_or_foreign_cursor_is_refused(client: TestClient[Any]) -> None:
    templates = client.get("/v1/templates?limit=1").json()["next_cursor"]
    trending = client.get("/v1/templates?trending=true&limit=1").json()["next_cursor"]
    tags = client.get("/v1/tags?limit=1").json()["next_cursor"]
    payload, _, mac = templates.partition(".")
    for cursor in ("garbage", f"{payload}.{mac[::-1]}", f"WzEwMF0.{mac}", tags, trending):
        answer = client.get("/v1/templates", params={"cursor": cursor})
        assert answer.status_code == 422, cursor
        assert answer.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/features?category=hologram", "category"),
        ("/v1/provider-models?category=t3i", "category"),
        ("/v1/templates?feature_id=0", "feature_id"),
        ("/v1/templates?trending=maybe", "trending"),
        (f"/v1/templates?q={'x' * 201}", "q"),
    ],
)
def test_a_bad_query_parameter_is_named(client: TestClient[Any], path: str, field: str) -> None:
    answer = client.get(path)
    assert answer.status_code in (400, 422)
    assert answer.headers["content-type"] == PROBLEM
    assert field in answer.text
