"""The batch routes (API.md, Generation: batches; GEN-7) on both databases: a request per
reference image reserved together, 402 for a batch beyond the balance with nothing changed,
fields named, a batch that completes through the worker, its photos found by their facts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from genmedia.adapters.sql.tables import (
    credit_holds,
    generation_batches,
    generation_jobs,
    generation_requests,
    wallet_transactions,
)
from genmedia.entrypoints.container import Container
from tests.http.conftest import Register, Registered
from tests.images import encode, picture

SMALL = {"width": 64, "height": 64}
OPTIONS = {"hairColor": "red", "backgrounds": ["beach", "city"], "glasses": "yes"}
TABLES = (generation_batches, generation_requests, generation_jobs, credit_holds)


@pytest.fixture
def headshot(container: Container) -> int:
    """The id of the sample catalog's headshot-session template."""
    container.seed_catalog()
    page = container.list_templates(limit=100)
    return next(t.id or 0 for t in page.items if t.slug == "headshot-session")


def _reference(client: TestClient[Any], user: Registered) -> int:
    data = encode(picture((96, 64)), "PNG")
    answer = client.post(
        "/v1/media", files={"file": ("me.png", data, "image/png")}, headers=user.headers
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def _body(template: int, references: list[int], **fields: Any) -> dict[str, Any]:
    return {
        "template_id": template,
        "reference_media_ids": references,
        "selected_options": OPTIONS,
        "params": SMALL,
        **fields,
    }


def _submit(client: TestClient[Any], user: Registered, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/v1/batches", json=body, headers=user.headers)
    assert answer.status_code == 202, answer.text
    accepted: dict[str, Any] = answer.json()
    return accepted


def _wallet(client: TestClient[Any], user: Registered) -> dict[str, int]:
    answer = client.get("/v1/wallet", headers=user.headers)
    assert answer.status_code == 200
    wallet: dict[str, int] = answer.json()
    return wallet


def _rows(container: Container) -> list[int]:
    with container.engine().connect() as connection:
        return [
            int(connection.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for t in (*TABLES, wallet_transactions)
        ]


def _run_all(container: Container, batch: dict[str, Any]) -> None:
    runner = container.job_runner()
    for request in batch["requests"]:
        for job in request["jobs"]:
            runner.run(job["id"])


def _photos(client: TestClient[Any], user: Registered, **query: Any) -> list[int]:
    answer = client.get("/v1/media", params={"kind": "edited", **query}, headers=user.headers)
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


def test_two_references_by_four_make_eight_jobs_and_reserve_the_batch_at_once(
    client: TestClient[Any], container: Container, user: Registered, headshot: int
) -> None:
    refs = [_reference(client, user), _reference(client, user)]
    batch = _submit(client, user, _body(headshot, refs))
    assert batch["status"] == "generating"
    assert (batch["total_images"], batch["credits_reserved"]) == (8, 32)
    assert [r["reference_media_id"] for r in batch["requests"]] == refs
    assert [len(r["jobs"]) for r in batch["requests"]] == [4, 4]
    assert batch["request_ids"] == [r["id"] for r in batch["requests"]]
    assert _wallet(client, user)["held"] == 32
    assert _rows(container)[:4] == [1, 2, 8, 8]
    request = client.get(f"/v1/requests/{batch['request_ids'][1]}", headers=user.headers)
    assert request.json()["selected_options"]["hairColor"] == "red"


def test_a_batch_beyond_the_balance_is_a_402_that_changes_nothing(
    client: TestClient[Any], container: Container, user: Registered, headshot: int
) -> None:
    refs = [_reference(client, user) for _ in range(4)]
    before, rows = _wallet(client, user), _rows(container)
    answer = client.post(
        "/v1/batches", json=_body(headshot, refs, images_per_reference=8), headers=user.headers
    )
    assert (answer.status_code, answer.json()["code"]) == (402, "insufficient_credits")
    assert (_wallet(client, user), _rows(container)) == (before, rows)


def test_another_users_reference_is_refused_naming_it_and_nothing_is_reserved(
    client: TestClient[Any], container: Container, register: Register, headshot: int
) -> None:
    owner, other = register(), register()
    mine, theirs = _reference(client, other), _reference(client, owner)
    answer = client.post("/v1/batches", json=_body(headshot, [mine, theirs]), headers=other.headers)
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "reference_media_ids.1", "message": f"media {theirs} not found"}
    ]
    assert _wallet(client, other)["held"] == 0
    assert _rows(container)[:4] == [0, 0, 0, 0]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reference_media_ids", "12"),
        ("images_per_reference", "four"),
        ("media_ids", [1]),
        ("selected_options", "hairColor=red"),
    ],
)
def test_a_wrong_field_of_a_batch_is_a_422_naming_it(
    client: TestClient[Any], user: Registered, headshot: int, field: str, value: Any
) -> None:
    body = {**_body(headshot, [_reference(client, user)]), field: value}
    answer = client.post("/v1/batches", json=body, headers=user.headers)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_a_batch_without_references_names_the_missing_field(
    client: TestClient[Any], user: Registered, headshot: int
) -> None:
    answer = client.post("/v1/batches", json={"template_id": headshot}, headers=user.headers)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["reference_media_ids"]


def test_a_batch_completes_through_the_worker_and_follows_its_requests(
    client: TestClient[Any], container: Container, user: Registered, headshot: int
) -> None:
    refs = [_reference(client, user), _reference(client, user)]
    batch = _submit(client, user, _body(headshot, refs))
    _run_all(container, batch)
    found = client.get(f"/v1/batches/{batch['id']}", headers=user.headers).json()
    assert found["status"] == "completed"
    assert (found["total_images"], found["images_done"], found["credits_used"]) == (8, 8, 32)
    assert found["completed_at"] is not None
    assert {r["status"] for r in found["requests"]} == {"completed"}
    assert _wallet(client, user) == {
        "balance": 68, "held": 0, "available": 68, "total_spent": 32, "total_bought": 0
    }  # fmt: skip
    photos = _photos(client, user, batch_id=batch["id"])
    assert len(photos) == 8
    with container.uow() as uow:  # retention deletes finished jobs (GEN-11) …
        assert uow.retention.delete_finished_jobs(datetime.now(UTC) + timedelta(days=1), 100) == 8
        uow.commit()
    pruned = client.get(f"/v1/batches/{batch['id']}", headers=user.headers).json()
    kept = ("status", "total_images", "images_done", "credits_used")
    assert {k: pruned[k] for k in kept} == {k: found[k] for k in kept}  # … the batch stays
    ended = (datetime.fromisoformat(b["completed_at"]) for b in (found, pruned))
    assert abs(next(ended) - next(ended)) < timedelta(seconds=5)  # the last image's time
    for photo in photos:
        content = client.get(f"/v1/media/{photo}/content", headers=user.headers)
        assert (content.status_code, content.content[:4]) == (200, b"\x89PNG")


def test_the_photos_of_a_batch_are_found_by_the_facts_they_keep(
    client: TestClient[Any], container: Container, user: Registered, headshot: int
) -> None:
    refs = [_reference(client, user), _reference(client, user)]
    batch = _submit(client, user, _body(headshot, refs, images_per_reference=2))
    _run_all(container, batch)
    assert len(_photos(client, user, batch_id=batch["id"])) == 4
    assert len(_photos(client, user, reference_image_id=refs[0])) == 2
    assert len(_photos(client, user, hair_color="red", glasses="yes", background="city")) == 4
    assert len(_photos(client, user, reference_image_id=refs[1], aspect_ratio="1:1")) == 2
    assert _photos(client, user, hair_color="black") == []
    assert _photos(client, user, background="forest") == []
    assert _photos(client, user, batch_id=batch["id"] + 1) == []
    photo = client.get("/v1/media", params={"batch_id": batch["id"]}, headers=user.headers)
    facts = photo.json()["items"][0]["metadata"]
    assert facts["backgrounds"] == ["beach", "city"]
    assert facts["generationBatchId"] == batch["id"]


def test_another_users_batch_is_a_404_and_lists_show_only_ones_own(
    client: TestClient[Any], register: Register, headshot: int
) -> None:
    owner, other = register(), register()
    ref = _reference(client, owner)
    ids = [_submit(client, owner, _body(headshot, [ref], images_per_reference=1))["id"]]
    ids.append(_submit(client, owner, _body(headshot, [ref], images_per_reference=1))["id"])
    answer = client.get(f"/v1/batches/{ids[0]}", headers=other.headers)
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    assert client.get("/v1/batches", headers=other.headers).json()["items"] == []
    first = client.get("/v1/batches?limit=1", headers=owner.headers).json()
    rest = client.get(
        "/v1/batches", params={"limit": 1, "cursor": first["next_cursor"]}, headers=owner.headers
    ).json()
    assert [b["id"] for b in first["items"] + rest["items"]] == ids[::-1]
    assert rest["next_cursor"] is None


def test_a_retried_batch_with_its_key_gets_the_first_answer_and_reserves_once(
    client: TestClient[Any], container: Container, user: Registered, headshot: int
) -> None:
    headers = {**user.headers, "Idempotency-Key": "batch-1"}
    body = _body(headshot, [_reference(client, user)])
    first = client.post("/v1/batches", json=body, headers=headers)
    again = client.post("/v1/batches", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json() == again.json()
    assert _rows(container)[0] == 1
    assert _wallet(client, user)["held"] == 16


def _trained(client: TestClient[Any], container: Container, user: Registered, base: int) -> int:
    """A model trained over HTTP on `base`, its training finished as the trainer would."""
    body = {"name": "Me", "trigger_word": "ohwx", "type": "portrait", "base_model_id": base,
            "media_ids": [_reference(client, user)]}  # fmt: skip
    answer = client.post("/v1/trainings", json=body, headers=user.headers)
    assert answer.status_code == 202, answer.text
    with container.uow() as uow:
        model = uow.trained_models.get(answer.json()["trained_model_id"], for_update=True)
        model.complete("trained/weights.json", credits_used=20)
        uow.trained_models.save(model)
        uow.commit()
    return int(answer.json()["trained_model_id"])


def test_a_portrait_trained_on_the_headshot_model_is_applied_to_every_request_of_a_batch(
    client: TestClient[Any], container: Container, user: Registered, headshot: int
) -> None:
    base = client.get(f"/v1/templates/{headshot}").json()["provider_model_id"]
    model = _trained(client, container, user, base)
    refs = [_reference(client, user), _reference(client, user)]
    batch = _submit(client, user, _body(headshot, refs, trained_model_id=model))
    assert batch["credits_reserved"] == 8 * (4 + 2)  # each image also pays the model's price
    for request_id in batch["request_ids"]:
        request = client.get(f"/v1/requests/{request_id}", headers=user.headers).json()
        assert request["trained_model_id"] == model


def test_a_model_trained_on_another_base_model_is_refused_in_a_batch_naming_it(
    client: TestClient[Any], container: Container, user: Registered, headshot: int
) -> None:
    models = client.get("/v1/provider-models", params={"limit": 100}).json()["items"]
    other = next(m["id"] for m in models if m["model_slug"] == "local-t2i")
    model = _trained(client, container, user, other)
    before = _wallet(client, user)
    body = _body(headshot, [_reference(client, user)], trained_model_id=model)
    answer = client.post("/v1/batches", json=body, headers=user.headers)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["trained_model_id"]
    assert _wallet(client, user) == before
