"""The Fine-tuning routes (API.md, Fine-tuning) on both databases: submit a training (202,
its price held), read it, list and edit trained models; bad input named, nothing held."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from genmedia.entrypoints.container import Container
from tests.http.conftest import Register, Registered
from tests.http.test_media import upload
from tests.images import encode, picture


@pytest.fixture
def base_model_id(container: Container) -> int:
    """The sample catalog's default model, which the local trainer trains."""
    container.seed_catalog()
    page = container.list_provider_models(limit=100)
    found = [m for m in page.items if m.model_slug == "local-t2i"]
    return found[0].id or 0


def selfies(client: TestClient[Any], user: Registered, count: int) -> list[int]:
    ids = []
    for n in range(count):
        answer = upload(client, user, encode(picture((64 + n, 64)), "PNG"), f"selfie-{n}.png")
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    return ids


def body(base_model_id: int, media_ids: list[int], **kw: Any) -> dict[str, Any]:
    return {
        "name": "Me",
        "trigger_word": "ohwx",
        "type": "portrait",
        "gender": "female",
        "base_model_id": base_model_id,
        "media_ids": media_ids,
        **kw,
    }


def held(client: TestClient[Any], user: Registered) -> tuple[int, int]:
    wallet = client.get("/v1/wallet", headers=user.headers).json()
    return wallet["balance"], wallet["held"]


def test_a_training_is_accepted_with_its_price_held_and_read_back(
    client: TestClient[Any], register: Register, base_model_id: int
) -> None:
    ann = register()
    answer = client.post(
        "/v1/trainings", json=body(base_model_id, selfies(client, ann, 3)), headers=ann.headers
    )
    assert answer.status_code == 202, answer.text
    training = answer.json()
    assert {"id", "status", "trained_model_id", "credits_reserved"} <= set(training)
    assert (training["status"], training["credits_reserved"]) == ("pending", 20)
    assert held(client, ann) == (100, 20)
    read = client.get(f"/v1/trainings/{training['id']}", headers=ann.headers).json()
    assert {"id", "status", "error", "started_at", "completed_at", "trained_model_id"} <= set(read)
    assert read["trained_model_id"] == training["trained_model_id"]
    models = client.get("/v1/trained-models?scope=mine", headers=ann.headers).json()["items"]
    assert [(m["id"], m["status"], m["type"], m["price"]) for m in models] == [
        (training["trained_model_id"], "pending", "portrait", 2)
    ]
    assert {"name", "trigger_word", "is_public", "preview_image_url"} <= set(models[0])


@pytest.mark.parametrize("count", [0, 6])
def test_zero_or_six_images_are_refused_naming_media_ids_and_nothing_is_held(
    client: TestClient[Any], register: Register, base_model_id: int, count: int
) -> None:
    ann = register()
    photos = selfies(client, ann, count)
    answer = client.post("/v1/trainings", json=body(base_model_id, photos), headers=ann.headers)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["media_ids"]
    assert held(client, ann) == (100, 0)


def test_another_users_upload_is_refused_by_its_place(
    client: TestClient[Any], register: Register, base_model_id: int
) -> None:
    ann, bob = register(), register()
    photos = selfies(client, ann, 1) + selfies(client, bob, 1)
    answer = client.post("/v1/trainings", json=body(base_model_id, photos), headers=ann.headers)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["media_ids.1"]
    assert held(client, ann) == (100, 0)


def test_another_users_training_and_model_are_404_and_public_lists_only_completed_ones(
    client: TestClient[Any], register: Register, base_model_id: int
) -> None:
    ann, bob = register(), register()
    photos = selfies(client, ann, 1)
    training = client.post(
        "/v1/trainings", json=body(base_model_id, photos), headers=ann.headers
    ).json()
    model_id = training["trained_model_id"]
    assert client.get(f"/v1/trainings/{training['id']}", headers=bob.headers).status_code == 404
    patched = client.patch(
        f"/v1/trained-models/{model_id}", json={"is_public": True}, headers=bob.headers
    )
    assert patched.status_code == 404
    mine = client.patch(
        f"/v1/trained-models/{model_id}",
        json={"is_public": True, "name": "Portrait"},
        headers=ann.headers,
    )
    assert mine.status_code == 200, mine.text
    assert (mine.json()["name"], mine.json()["is_public"]) == ("Portrait", True)
    public = client.get("/v1/trained-models?scope=public", headers=bob.headers).json()["items"]
    assert public == []  # published, but not trained yet
    bad = client.get("/v1/trained-models?scope=everyone", headers=ann.headers)
    assert bad.status_code in (400, 422)
