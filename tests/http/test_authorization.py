"""Who may see what: another user's object is a 404, lists show only one's own, and every
route that needs a token refuses a missing, logged-out or expired one with a 401."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from dependency_injector import providers
from litestar.testing import TestClient
from PIL import Image

from genmedia.entrypoints.container import Container
from tests.fakes.system import FakeClock
from tests.http.api_contract import ANONYMOUS, ROUTES
from tests.http.conftest import Register, Registered

# For every route that takes the id of a user's own object: which object.
OWNED = {
    ("DELETE", "/v1/api-tokens/{}"): "api_token",
    ("GET", "/v1/requests/{}"): "request",
    ("POST", "/v1/requests/{}/cancel"): "request",
    ("DELETE", "/v1/requests/{}"): "request",
    ("GET", "/v1/batches/{}"): "batch",
    ("GET", "/v1/media/{}"): "media",
    ("GET", "/v1/media/{}/content"): "media",
    ("PUT", "/v1/media/{}/favorite"): "media",
    ("DELETE", "/v1/media/{}/favorite"): "media",
    ("DELETE", "/v1/media/{}"): "media",
    ("GET", "/v1/trainings/{}"): "training",
    ("PATCH", "/v1/trained-models/{}"): "trained_model",
}
# Public catalog objects and published articles: anyone may read them.
SHARED = {("GET", "/v1/features/{}"), ("GET", "/v1/templates/{}"), ("GET", "/v1/articles/{}")}
# Its path names a provider, not an object of a user; its delivery's signature is its key.
NOT_OWNED = {("POST", "/v1/webhooks/{}")}
# Admin routes: for admins only, who see every object (tests/http/test_admin_access.py).
ADMIN = {route for route in ROUTES if route[1].startswith("/v1/admin/")}
SECURED = sorted(route for route in ROUTES if route not in ANONYMOUS)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 90)).save(out, "PNG")
    return out.getvalue()


def _own_objects(client: TestClient[Any], container: Container, user: Registered) -> dict[str, int]:
    container.seed_catalog()
    template = client.get("/v1/templates/neon-city").json()
    media = client.post(
        "/v1/media", headers=user.headers, files={"file": ("mine.png", _png(), "image/png")}
    )
    assert media.status_code == 201, media.text
    body = {"template_id": template["id"], "params": {"width": 64, "height": 64}}
    request = client.post("/v1/requests", headers=user.headers, json=body)
    assert request.status_code == 202, request.text
    token = client.post("/v1/api-tokens", headers=user.headers, json={"name": "laptop"})
    assert token.status_code == 201, token.text
    headshot = client.get("/v1/templates/headshot-session").json()
    batch_body = {
        "template_id": headshot["id"], "reference_media_ids": [media.json()["id"]],
        "images_per_reference": 1, "params": {"width": 64, "height": 64},
    }  # fmt: skip
    batch = client.post("/v1/batches", headers=user.headers, json=batch_body)
    assert batch.status_code == 202, batch.text
    trainable = client.get("/v1/provider-models").json()["items"]
    base = next(m["id"] for m in trainable if m["model_slug"] == "local-t2i")
    order = {"name": "Me", "trigger_word": "ohwx", "base_model_id": base,
             "media_ids": [media.json()["id"]]}  # fmt: skip
    training = client.post("/v1/trainings", headers=user.headers, json=order)
    assert training.status_code == 202, training.text
    return {
        "media": media.json()["id"],
        "request": request.json()["id"],
        "batch": batch.json()["id"],
        "api_token": token.json()["id"],
        "training": training.json()["id"],
        "trained_model": training.json()["trained_model_id"],
    }


def _path(path: str, key: int) -> str:
    return path.replace("{}", str(key))


def test_every_route_with_an_id_is_in_the_authorization_matrix() -> None:
    with_id = {route for route in ROUTES if "{}" in route[1]}
    assert with_id == set(OWNED) | SHARED | NOT_OWNED | {r for r in ADMIN if "{}" in r[1]}


def test_another_user_s_objects_answer_404_on_every_route_and_stay_as_they_were(
    client: TestClient[Any], container: Container, register: Register
) -> None:
    alice, bob = register(), register()
    objects = _own_objects(client, container, alice)
    bob_wallet = client.get("/v1/wallet", headers=bob.headers).json()
    for (method, path), kind in OWNED.items():
        answer = client.request(method, _path(path, objects[kind]), headers=bob.headers)
        assert answer.status_code == 404, f"{method} {path}: {answer.status_code}"
        assert answer.json()["code"] == "not_found"
    media = client.get(f"/v1/media/{objects['media']}", headers=alice.headers).json()
    assert (media["is_favorite"], media["download_count"]) == (False, 0)
    request = client.get(f"/v1/requests/{objects['request']}", headers=alice.headers)
    assert request.json()["status"] != "cancelled"
    tokens = client.delete(f"/v1/api-tokens/{objects['api_token']}", headers=alice.headers)
    assert tokens.status_code == 204
    assert client.get("/v1/wallet", headers=bob.headers).json() == bob_wallet


def test_a_request_cannot_use_another_user_s_media_and_charges_nothing(
    client: TestClient[Any], container: Container, register: Register
) -> None:
    alice, bob = register(), register()
    objects = _own_objects(client, container, alice)
    template = client.get("/v1/templates/neon-city").json()
    before = client.get("/v1/wallet", headers=bob.headers).json()
    body = {"template_id": template["id"], "media_ids": [objects["media"]]}
    answer = client.post("/v1/requests", headers=bob.headers, json=body)
    assert answer.status_code in (404, 422), answer.text
    assert client.get("/v1/wallet", headers=bob.headers).json() == before
    assert client.get("/v1/requests", headers=bob.headers).json()["items"] == []


@pytest.mark.parametrize(
    "path", ["/v1/requests", "/v1/batches", "/v1/media", "/v1/wallet/transactions"]
)
def test_no_list_shows_another_user_s_items(
    client: TestClient[Any], container: Container, register: Register, path: str
) -> None:
    alice, bob = register(), register()
    _own_objects(client, container, alice)
    mine = client.get(path, headers=alice.headers).json()["items"]
    theirs = client.get(path, headers=bob.headers).json()["items"]
    assert mine
    assert not {item["id"] for item in mine} & {item["id"] for item in theirs}
    related = [item.get("related", {}).get("request_id") for item in theirs]
    assert not any(related)


def _refused(client: TestClient[Any], headers: dict[str, str]) -> list[str]:
    wrong = []
    for method, path in SECURED:
        answer = client.request(method, _path(path, 1), headers=headers)
        if answer.status_code != 401 or answer.json()["code"] != "unauthorized":
            wrong.append(f"{method} {path}: {answer.status_code}")
    return wrong


def test_every_route_that_needs_a_token_refuses_a_call_without_one(
    sqlite_client: TestClient[Any],
) -> None:
    assert _refused(sqlite_client, {}) == []
    assert _refused(sqlite_client, {"Authorization": "Bearer gms_not-a-token"}) == []


def test_a_logged_out_token_is_refused_everywhere(sqlite_client: TestClient[Any]) -> None:
    from tests.http.conftest import register_user

    user = register_user(sqlite_client)
    assert sqlite_client.post("/v1/auth/logout", headers=user.headers).status_code == 204
    assert _refused(sqlite_client, user.headers) == []


def test_an_expired_session_token_is_refused_everywhere(
    sqlite_client: TestClient[Any], sqlite_container: Container
) -> None:
    from tests.http.conftest import register_user

    user = register_user(sqlite_client)
    lifetime = sqlite_container.config.session_ttl_seconds()
    later = FakeClock(sqlite_container.clock().now() + timedelta(seconds=lifetime + 1))
    with sqlite_container.clock.override(providers.Object(later)):
        assert _refused(sqlite_client, user.headers) == []
    assert sqlite_client.get("/v1/me", headers=user.headers).status_code == 200
