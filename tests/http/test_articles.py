"""Articles over HTTP (SPEC CNT-1): admins write and publish them, anyone reads the
published ones, whose HTML carries no script, event handler or javascript: URL."""

from __future__ import annotations

import argparse
import json
from typing import Any

import sqlalchemy as sa
from litestar.testing import TestClient

from genmedia.adapters.sql.tables import articles
from genmedia.entrypoints.articles_cli import cmd_articles_render
from genmedia.entrypoints.container import Container
from tests.http.conftest import Registered

DANGEROUS = """# Safe heading

<script>alert("x")</script>

<img src="/cat.png" onerror="alert(1)">

[click me](javascript:alert(document.cookie)) and <a href="JaVaScRiPt:alert(2)">this</a>.
"""
ADMIN = "/v1/admin/articles"


def write(client: TestClient[Any], admin: Registered, **body: Any) -> dict[str, Any]:
    """Create an article as the admin; fails the test unless it is a 201."""
    answer = client.post(ADMIN, json={"title": "An article", "content": "Hi", **body},
                         headers=admin.headers)  # fmt: skip
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def act(client: TestClient[Any], admin: Registered, article_id: int, action: str) -> Any:
    """Run a lifecycle action as the admin."""
    return client.post(f"{ADMIN}/{article_id}/{action}", headers=admin.headers)


def published(client: TestClient[Any], admin: Registered, **body: Any) -> dict[str, Any]:
    """An article written and published by the admin, as the admin sees it."""
    article = write(client, admin, **body)
    answer = act(client, admin, article["id"], "publish")
    assert answer.status_code == 200, answer.text
    shown: dict[str, Any] = answer.json()
    return shown


def test_a_published_article_with_script_onerror_and_javascript_is_served_without_them(
    client: TestClient[Any], admin: Registered
) -> None:
    article = published(client, admin, title="Beware", content=DANGEROUS)
    answers = [
        client.get("/v1/articles"),
        client.get(f"/v1/articles/{article['id']}"),
        client.get(f"/v1/articles/{article['slug']}"),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert "Safe heading" in answer.text
        for fragment in ("<script", "onerror", "javascript:", "JaVaScRiPt"):
            assert fragment not in answer.text.lower()
    shown = answers[1].json()
    assert '<img src="/cat.png">' in shown["html"]
    assert "click me</a>" in shown["html"]
    assert shown["author"] == {"id": admin.id, "name": None}
    assert "content" not in shown


def test_a_draft_an_archived_and_a_deleted_article_answer_404_to_the_public(
    client: TestClient[Any], admin: Registered
) -> None:
    draft = write(client, admin, title="Draft")
    archived = published(client, admin, title="Archived")
    assert act(client, admin, archived["id"], "archive").status_code == 200
    deleted = published(client, admin, title="Deleted")
    assert client.delete(f"{ADMIN}/{deleted['id']}", headers=admin.headers).status_code == 204
    for article in (draft, archived, deleted):
        for key in (article["id"], article["slug"]):
            answer = client.get(f"/v1/articles/{key}")
            assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    assert client.get("/v1/articles").json() == {"items": [], "next_cursor": None}


def test_the_public_list_pages_published_articles_newest_publication_first(
    client: TestClient[Any], admin: Registered
) -> None:
    first = published(client, admin, title="First")
    write(client, admin, title="Never published")
    second = published(client, admin, title="Second")
    page = client.get("/v1/articles", params={"limit": 1}).json()
    assert [a["id"] for a in page["items"]] == [second["id"]]
    rest = client.get("/v1/articles", params={"cursor": page["next_cursor"]}).json()
    assert ([a["id"] for a in rest["items"]], rest["next_cursor"]) == ([first["id"]], None)


def test_a_slug_is_made_from_the_title_and_kept_unique(
    client: TestClient[Any], admin: Registered
) -> None:
    one = write(client, admin, title="Ảnh đẹp: Tips & Tricks!")
    two = write(client, admin, title="Ảnh đẹp: tips & tricks")
    assert (one["slug"], two["slug"]) == ("anh-dep-tips-tricks", "anh-dep-tips-tricks-2")
    taken = client.post(ADMIN, json={"title": "X", "slug": one["slug"]}, headers=admin.headers)
    assert (taken.status_code, taken.json()["code"]) == (409, "conflict")


def test_bad_fields_are_refused_with_each_field_named_and_nothing_stored(
    client: TestClient[Any], admin: Registered
) -> None:
    answer = client.post(
        ADMIN, json={"title": " ", "slug": "Not A Slug", "content": "x"}, headers=admin.headers
    )
    assert answer.status_code == 422, answer.text
    assert {e["field"] for e in answer.json()["errors"]} == {"title", "slug"}
    too_long = client.post(ADMIN, json={"title": "t" * 201}, headers=admin.headers)
    assert [e["field"] for e in too_long.json()["errors"]] == ["title"]
    assert client.get(ADMIN, headers=admin.headers).json()["items"] == []


def test_an_admin_revises_an_article_and_its_html_follows_its_content(
    client: TestClient[Any], admin: Registered
) -> None:
    article = published(client, admin, title="Old", content="*old*")
    answer = client.patch(f"{ADMIN}/{article['id']}", headers=admin.headers,
                          json={"title": "New", "content": "**new**"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    revised = answer.json()
    assert (revised["title"], revised["slug"], revised["status"]) == ("New", "old", "published")
    assert revised["html"].strip() == "<p><strong>new</strong></p>"
    assert revised["publication_date"] == article["publication_date"]
    assert revised["last_modified"] >= article["last_modified"]
    emptied = client.patch(f"{ADMIN}/{article['id']}", json={"content": " "},
                           headers=admin.headers)  # fmt: skip
    assert [e["field"] for e in emptied.json()["errors"]] == ["content"]


def test_the_lifecycle_moves_only_as_allowed_and_every_write_is_audited(
    client: TestClient[Any], admin: Registered
) -> None:
    article = write(client, admin)
    path = f"{ADMIN}/{article['id']}"
    steps = [
        ("archive", 200, "archived"),
        ("publish", 409, None),
        ("restore", 200, "draft"),
        ("publish", 200, "published"),
        ("restore", 409, None),
        ("unpublish", 200, "draft"),
    ]
    for action, status, after in steps:
        answer = act(client, admin, article["id"], action)
        assert answer.status_code == status, (action, answer.text)
        if after is not None:
            assert answer.json()["status"] == after
    assert client.get(path, headers=admin.headers).json()["status"] == "draft"
    entries = client.get("/v1/admin/audit", headers=admin.headers).json()["items"]
    assert [(e["action"], e["entity"], e["actor_id"]) for e in entries] == [
        (action, "article", admin.id)
        for action in ("unpublish", "publish", "restore", "archive", "create")
    ]
    assert (entries[0]["before"]["status"], entries[0]["after"]["status"]) == ("published", "draft")


def test_admins_list_articles_of_every_status_or_of_one(
    client: TestClient[Any], admin: Registered
) -> None:
    draft = write(client, admin, title="Draft")
    live = published(client, admin, title="Live")
    every = client.get(ADMIN, headers=admin.headers).json()["items"]
    assert [a["id"] for a in every] == [live["id"], draft["id"]]
    drafts = client.get(ADMIN, params={"status": "draft"}, headers=admin.headers).json()
    assert [(a["id"], a["content"]) for a in drafts["items"]] == [(draft["id"], "Hi")]
    unknown = client.get(ADMIN, params={"status": "lost"}, headers=admin.headers)
    assert unknown.status_code == 422


def test_html_of_an_older_renderer_is_served_fresh_and_stored_by_the_render_command(
    client: TestClient[Any], container: Container, admin: Registered, capsys: Any
) -> None:
    article = published(client, admin, title="Old", content="<b onclick=x>bold</b>")
    with container.engine().begin() as connection:
        connection.execute(sa.update(articles).values(html="<script>", rendered_with="old 0"))
    shown = client.get(f"/v1/articles/{article['id']}").json()
    assert shown["html"] == article["html"] == "<p><b>bold</b></p>\n"
    assert cmd_articles_render(container, argparse.Namespace(json=True)) == 0
    assert json.loads(capsys.readouterr().out)["rendered"] == 1
    with container.engine().connect() as connection:
        stored = connection.execute(sa.select(articles.c.html, articles.c.rendered_with)).one()
    assert tuple(stored) == (article["html"], container.article_renderer().name)


def test_a_patch_of_the_status_is_refused_and_an_empty_patch_changes_nothing(
    client: TestClient[Any], admin: Registered
) -> None:
    article = write(client, admin)
    path = f"{ADMIN}/{article['id']}"
    refused = client.patch(path, json={"status": "published"}, headers=admin.headers)
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "status")
    same = client.patch(path, json={"title": article["title"]}, headers=admin.headers)
    assert same.json() == article
    actions = [
        e["action"] for e in client.get("/v1/admin/audit", headers=admin.headers).json()["items"]
    ]
    assert actions == ["create"]
