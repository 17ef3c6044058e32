"""The Generation routes (API.md, Generation) on both databases: estimate, submit, list, read,
cancel and delete; 402, 422 naming each bad field, other users' requests and media."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient, TestClient

from genmedia.adapters.sql.tables import generation_requests
from genmedia.application.execution.completion import complete_job
from genmedia.application.execution.steps import claim_job, fail_job
from genmedia.application.settings.commands import PutSetting
from genmedia.domain.job import Job
from genmedia.domain.media import ImageInfo, Media, MediaKind
from genmedia.domain.moderation import ModerationStage
from genmedia.domain.provider_cost import CostUnit, ProviderCost
from genmedia.entrypoints.container import Container
from genmedia.entrypoints.http.app import create_app
from tests.http.conftest import PASSWORD, Register, Registered

PROBLEM = "application/problem+json"
NEON = {"template_id": 0, "user_prompt": "rain", "input_metadata": {"batch_size": 2}}
REQUEST_FIELDS = {
    "id", "status", "feature_id", "template_id", "final_prompt", "estimated_cost",
    "credits_charged", "jobs", "created_at",
}  # fmt: skip
JOB_FIELDS = {
    "id", "status", "priority", "error_code", "error_message", "started_at", "completed_at"
}  # fmt: skip
MEDIA_FIELDS = {
    "id", "kind", "media_type", "url", "blurhash", "width", "height", "file_size",
    "file_format", "original_filename", "original_media_id", "request_id", "job_id",
    "is_favorite", "download_count", "created_at",
}  # fmt: skip


INPUT = ModerationStage.INPUT


@pytest.fixture
def templates(container: Container) -> dict[str, int]:
    """The sample catalog's templates, by slug."""
    container.seed_catalog()
    page = container.list_templates(limit=100)
    return {t.slug: t.id or 0 for t in page.items}


@pytest.fixture
def neon(templates: dict[str, int]) -> dict[str, Any]:
    """A request for two images of the neon-city template."""
    return {**NEON, "template_id": templates["neon-city"]}


def _wallet(client: TestClient[Any], user: Registered) -> dict[str, int]:
    answer = client.get("/v1/wallet", headers=user.headers)
    assert answer.status_code == 200
    wallet: dict[str, int] = answer.json()
    return wallet


def _stored_requests(container: Container) -> int:
    with container.engine().connect() as connection:
        query = sa.select(sa.func.count()).select_from(generation_requests)
        return int(connection.execute(query).scalar_one())


def _submit(client: TestClient[Any], user: Registered, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/v1/requests", json=body, headers=user.headers)
    assert answer.status_code == 202, answer.text
    submitted: dict[str, Any] = answer.json()
    return submitted


def test_an_estimate_prices_the_request_and_stores_nothing(
    client: TestClient[Any], container: Container, user: Registered, neon: dict[str, Any]
) -> None:
    answer = client.post("/v1/requests/estimate", json=neon, headers=user.headers)
    assert answer.status_code == 200
    assert answer.json()["job_count"] == 2
    assert answer.json()["estimated_cost"] == 6
    assert "neon-lit city" in answer.json()["final_prompt"]
    assert _wallet(client, user)["held"] == 0
    assert _stored_requests(container) == 0


def test_a_submitted_request_is_accepted_with_its_jobs_and_its_credits_held(
    client: TestClient[Any], user: Registered, neon: dict[str, Any]
) -> None:
    accepted = _submit(client, user, neon)
    assert set(accepted) >= {"id", "status", "estimated_cost", "final_prompt", "jobs", "created_at"}
    assert accepted["status"] == "pending"
    assert [j["status"] for j in accepted["jobs"]] == ["pending", "pending"]
    assert _wallet(client, user) == {
        "balance": 100, "held": 6, "available": 94, "total_spent": 0, "total_bought": 0
    }  # fmt: skip


def test_a_request_beyond_the_available_credits_is_a_402_that_changes_nothing(
    client: TestClient[Any], container: Container, user: Registered, neon: dict[str, Any]
) -> None:
    big = {**neon, "input_metadata": {"batch_size": 8}}
    while _wallet(client, user)["available"] >= 24:
        _submit(client, user, big)
    before, stored = _wallet(client, user), _stored_requests(container)
    answer = client.post("/v1/requests", json=big, headers=user.headers)
    assert answer.status_code == 402
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["code"] == "insufficient_credits"
    assert (_wallet(client, user), _stored_requests(container)) == (before, stored)


WRONG_TYPES: dict[str, Any] = {
    "feature_id": "one",
    "template_id": 1.5,
    "user_prompt": ["a", "fox"],
    "selected_options": "hairColor=red",
    "media_ids": {"image": "12"},
    "input_metadata": "batch_size=2",
    "params": [1],
    "trained_model_id": True,
    "lora_weight": "heavy",
    "project_id": {"id": 1},
}


@pytest.mark.parametrize(("field", "value"), WRONG_TYPES.items())
def test_a_wrong_type_in_any_field_is_a_422_naming_it_and_changes_nothing(
    client: TestClient[Any],
    container: Container,
    user: Registered,
    neon: dict[str, Any],
    field: str,
    value: Any,
) -> None:
    answer = client.post("/v1/requests", json={**neon, field: value}, headers=user.headers)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["code"] == "validation_error"
    assert [e["field"].split(".")[0] for e in answer.json()["errors"]] == [field]
    assert _wallet(client, user)["held"] == 0
    assert _stored_requests(container) == 0


def test_every_field_of_the_wrong_type_is_named_in_one_answer(
    client: TestClient[Any], user: Registered
) -> None:
    answer = client.post("/v1/requests", json=WRONG_TYPES, headers=user.headers)
    assert answer.status_code == 422
    named = [e["field"].split(".")[0] for e in answer.json()["errors"]]
    assert named == list(WRONG_TYPES)


def test_every_broken_rule_of_a_well_typed_request_is_named(
    client: TestClient[Any], user: Registered, neon: dict[str, Any]
) -> None:
    body = {
        **neon,
        "selected_options": {"timeOfDay": "noon", "mood": "calm"},
        "input_metadata": {"batch_size": 99, "seed": -1},
        "lora_weight": 0.5,
    }
    answer = client.post("/v1/requests", json=body, headers=user.headers)
    assert answer.status_code == 422
    named = {e["field"] for e in answer.json()["errors"]}
    assert named >= {
        "selected_options.mood", "selected_options.timeOfDay", "input_metadata.batch_size",
        "input_metadata.seed", "lora_weight",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"template_id": 999_999, "user_prompt": "x"}, "template_id"),
        ({"feature_id": 999_999, "user_prompt": "x"}, "feature_id"),
        ({"user_prompt": "x"}, "feature_id"),
        ({"template_id": 1, "colour": "red"}, "colour"),
    ],
)
def test_an_unknown_template_or_feature_or_field_is_a_422_naming_it(
    client: TestClient[Any],
    user: Registered,
    templates: dict[str, int],
    body: dict[str, Any],
    field: str,
) -> None:
    answer = client.post("/v1/requests", json=body, headers=user.headers)
    assert answer.status_code == 422
    assert field in [e["field"] for e in answer.json()["errors"]]


def test_malformed_json_or_a_body_that_is_not_an_object_changes_nothing(
    client: TestClient[Any], container: Container, user: Registered
) -> None:
    headers = {**user.headers, "content-type": "application/json"}
    malformed = client.post("/v1/requests", content=b'{"template_id": ', headers=headers)
    assert (malformed.status_code, malformed.json()["code"]) == (400, "malformed")
    listed = client.post("/v1/requests", json=[1, 2], headers=user.headers)
    assert listed.status_code == 422
    assert _stored_requests(container) == 0
    assert _wallet(client, user)["held"] == 0


def test_another_users_media_cannot_be_attached(
    client: TestClient[Any],
    container: Container,
    register: Register,
    templates: dict[str, int],
) -> None:
    owner, thief = register(), register()
    with container.uow() as uow:
        photo = uow.media.add(
            Media(
                user_id=owner.id,
                kind=MediaKind.UPLOADED,
                storage_path="uploads/photo.png",
                info=ImageInfo(file_format="png", width=8, height=8, file_size=9, blurhash="L0"),
            )
        )
        uow.commit()
    body = {
        "template_id": templates["restyle-photo"],
        "media_ids": [photo.id],
        "selected_options": {"style": "oil"},
    }
    answer = client.post("/v1/requests", json=body, headers=thief.headers)
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "media_ids.image", "message": f"media {photo.id} not found"}
    ]
    assert _wallet(client, thief)["held"] == 0


def test_a_request_is_read_with_its_jobs_and_media_once_they_ran(
    client: TestClient[Any], container: Container, user: Registered, neon: dict[str, Any]
) -> None:
    accepted = _submit(client, user, neon)
    runner = container.job_runner()
    for job in accepted["jobs"]:
        runner.run(job["id"])
    answer = client.get(f"/v1/requests/{accepted['id']}", headers=user.headers)
    assert answer.status_code == 200
    found = answer.json()
    assert set(found) >= REQUEST_FIELDS | {"media"}
    assert found["status"] == "completed"
    assert found["credits_charged"] == 6
    assert {j["status"] for j in found["jobs"]} == {"completed"}
    assert set(found["jobs"][0]) >= JOB_FIELDS
    assert len(found["media"]) == 2
    assert set(found["media"][0]) >= MEDIA_FIELDS
    assert found["media"][0]["kind"] == "generated"
    assert _wallet(client, user)["total_spent"] == 6


def _first_claimed(
    client: TestClient[Any], container: Container, user: Registered, neon: dict[str, Any]
) -> tuple[dict[str, Any], Job, tuple[int, int]]:
    """A request of two jobs, its first claimed by worker w1: the request, that claim, and
    both job ids."""
    accepted = _submit(client, user, neon)
    first, second = (job["id"] for job in accepted["jobs"])
    claimed = claim_job(first, "w1", uow=container.uow(), clock=container.clock())
    assert claimed is not None
    return accepted, claimed, (first, second)


def test_a_job_its_provider_moderated_shows_the_stage_that_was_blocked(
    client: TestClient[Any], container: Container, user: Registered, neon: dict[str, Any]
) -> None:
    accepted, claimed, (first, second) = _first_claimed(client, container, user, neon)
    uow, clock = container.uow(), container.clock()
    blocked = "the prompt was blocked"
    assert fail_job(claimed, "content_moderated", blocked, uow=uow, clock=clock, moderation=INPUT)
    found = client.get(f"/v1/requests/{accepted['id']}", headers=user.headers).json()
    jobs = {job["id"]: job for job in found["jobs"]}
    assert (jobs[first]["error_code"], jobs[first]["moderation_stage"]) == (
        "content_moderated",
        "input",
    )
    assert jobs[second]["moderation_stage"] is None


def test_a_job_shows_what_its_provider_said_it_cost_in_its_unit_beside_the_credits_used(
    client: TestClient[Any], container: Container, user: Registered, neon: dict[str, Any]
) -> None:
    accepted, claimed, (first, second) = _first_claimed(client, container, user, neon)
    uow, clock = container.uow(), container.clock()
    spent = ProviderCost(4, CostUnit.BFL_CREDITS)
    assert complete_job(claimed, [], {}, uow=uow, clock=clock, provider_cost=spent)
    found = client.get(f"/v1/requests/{accepted['id']}", headers=user.headers).json()
    jobs = {job["id"]: job for job in found["jobs"]}
    shown = ("credits_used", "provider_cost", "provider_cost_unit")
    assert [jobs[first][name] for name in shown] == [3, 4, "bfl_credits"]
    assert [jobs[second][name] for name in shown] == [0, None, None]


def test_a_user_lists_their_requests_newest_first_by_status_and_in_pages(
    client: TestClient[Any], register: Register, neon: dict[str, Any]
) -> None:
    ann, bob = register(), register()
    mine = [_submit(client, ann, neon)["id"] for _ in range(3)]
    _submit(client, bob, neon)
    client.post(f"/v1/requests/{mine[0]}/cancel", headers=ann.headers)
    first = client.get("/v1/requests?limit=2", headers=ann.headers).json()
    rest = client.get(
        "/v1/requests", params={"limit": 2, "cursor": first["next_cursor"]}, headers=ann.headers
    ).json()
    assert [r["id"] for r in first["items"] + rest["items"]] == mine[::-1]
    assert rest["next_cursor"] is None
    pending = client.get("/v1/requests?status=pending", headers=ann.headers).json()
    assert [r["id"] for r in pending["items"]] == [mine[2], mine[1]]
    bobs = client.get("/v1/requests", headers=bob.headers).json()["items"]
    assert len(bobs) == 1
    assert bobs[0]["id"] not in mine
    wrong = client.get("/v1/requests?status=done", headers=ann.headers)
    assert wrong.status_code in (400, 422)
    assert "status" in wrong.text


def test_cancelling_releases_the_credits_and_a_second_cancel_is_a_409(
    client: TestClient[Any], user: Registered, neon: dict[str, Any]
) -> None:
    accepted = _submit(client, user, neon)
    cancelled = client.post(f"/v1/requests/{accepted['id']}/cancel", headers=user.headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert {j["status"] for j in cancelled.json()["jobs"]} == {"cancelled"}
    assert _wallet(client, user)["held"] == 0
    again = client.post(f"/v1/requests/{accepted['id']}/cancel", headers=user.headers)
    assert (again.status_code, again.json()["code"]) == (409, "conflict")


def test_a_deleted_request_is_gone_for_its_owner_and_its_credits_released(
    client: TestClient[Any], user: Registered, neon: dict[str, Any]
) -> None:
    accepted = _submit(client, user, neon)
    assert client.delete(f"/v1/requests/{accepted['id']}", headers=user.headers).status_code == 204
    assert _wallet(client, user)["held"] == 0
    assert client.get(f"/v1/requests/{accepted['id']}", headers=user.headers).status_code == 404
    assert client.get("/v1/requests", headers=user.headers).json()["items"] == []
    assert client.delete(f"/v1/requests/{accepted['id']}", headers=user.headers).status_code == 404


def test_another_users_request_is_a_404_on_every_route_and_stays_as_it_was(
    client: TestClient[Any], register: Register, neon: dict[str, Any]
) -> None:
    owner, other = register(), register()
    request_id = _submit(client, owner, neon)["id"]
    for method, path in [
        ("GET", f"/v1/requests/{request_id}"),
        ("POST", f"/v1/requests/{request_id}/cancel"),
        ("DELETE", f"/v1/requests/{request_id}"),
    ]:
        answer = client.request(method, path, headers=other.headers)
        assert answer.status_code == 404, path
        assert answer.json()["code"] == "not_found"
    mine = client.get(f"/v1/requests/{request_id}", headers=owner.headers).json()
    assert mine["status"] == "pending"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/requests/estimate"),
        ("POST", "/v1/requests"),
        ("GET", "/v1/requests"),
        ("GET", "/v1/requests/1"),
        ("POST", "/v1/requests/1/cancel"),
        ("DELETE", "/v1/requests/1"),
    ],
)
def test_every_generation_route_needs_a_token(
    client: TestClient[Any], method: str, path: str
) -> None:
    answer = client.request(method, path, json={})
    assert answer.status_code == 401
    assert answer.json()["code"] == "unauthorized"


@pytest.mark.parametrize("request_id", ["0", "-3", str(2**64), "x"])
def test_an_impossible_request_id_is_refused(
    client: TestClient[Any], user: Registered, request_id: str
) -> None:
    answer = client.get(f"/v1/requests/{request_id}", headers=user.headers)
    assert answer.status_code in (400, 404, 422)
    assert answer.headers["content-type"] == PROBLEM


def test_a_retried_submit_with_its_key_gets_the_first_answer_and_holds_once(
    client: TestClient[Any], container: Container, user: Registered, neon: dict[str, Any]
) -> None:
    headers = {**user.headers, "Idempotency-Key": "submit-1"}
    first = client.post("/v1/requests", json=neon, headers=headers)
    again = client.post("/v1/requests", json=neon, headers=headers)
    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json() == again.json()
    assert _stored_requests(container) == 1
    assert _wallet(client, user)["held"] == 6
    other = client.post("/v1/requests", json={**neon, "user_prompt": "snow"}, headers=headers)
    assert other.status_code == 409


def test_sixteen_concurrent_submits_with_one_key_create_one_request_and_hold_once(
    postgres_container: Container,
) -> None:
    postgres_container.seed_catalog()
    neon_id = next(
        t.id for t in postgres_container.list_templates(limit=100).items if t.slug == "neon-city"
    )
    body = {**NEON, "template_id": neon_id}

    async def race() -> tuple[list[Any], dict[str, int]]:
        async with AsyncTestClient(create_app(postgres_container)) as client:
            registered = await client.post(
                "/v1/auth/register", json={"email": "crowd@example.com", "password": PASSWORD}
            )
            auth = {"Authorization": f"Bearer {registered.json()['token']}"}
            headers = {**auth, "Idempotency-Key": "one-submit"}
            calls = [client.post("/v1/requests", json=body, headers=headers) for _ in range(16)]
            answers = list(await asyncio.gather(*calls))
            wallet = (await client.get("/v1/wallet", headers=auth)).json()
            return answers, wallet

    answers, wallet = asyncio.run(race())
    assert {(a.status_code, a.text) for a in answers} == {(202, answers[0].text)}
    assert _stored_requests(postgres_container) == 1
    assert (wallet["held"], wallet["available"]) == (6, 94)


def test_requests_finished_long_ago_are_archived_and_listed_only_on_request(
    client: TestClient[Any], container: Container, user: Registered, neon: dict[str, Any]
) -> None:
    old, young = _submit(client, user, neon)["id"], _submit(client, user, neon)["id"]
    for request_id in (old, young):
        client.post(f"/v1/requests/{request_id}/cancel", headers=user.headers)
    with container.engine().begin() as connection:
        connection.execute(
            sa.update(generation_requests)
            .where(generation_requests.c.id == old)
            .values(created_at=sa.func.current_timestamp() - sa.text("INTERVAL '91 days'"))
            if connection.dialect.name == "postgresql"
            else sa.update(generation_requests)
            .where(generation_requests.c.id == old)
            .values(created_at=sa.text("datetime('now', '-91 days')"))
        )
    assert container.apply_retention().requests_archived == 1
    listed = client.get("/v1/requests", headers=user.headers).json()["items"]
    archived = client.get("/v1/requests?archived=true", headers=user.headers).json()["items"]
    assert ([r["id"] for r in listed], [r["id"] for r in archived]) == ([young], [old])
    assert archived[0]["archived_at"] is not None
    assert listed[0]["archived_at"] is None
    assert client.get(f"/v1/requests/{old}", headers=user.headers).status_code == 200


def test_the_archive_period_is_the_setting_an_admin_changes_unless_configured(
    client: TestClient[Any], container: Container, user: Registered, neon: dict[str, Any]
) -> None:
    request_id = _submit(client, user, neon)["id"]
    client.post(f"/v1/requests/{request_id}/cancel", headers=user.headers)
    with container.engine().begin() as connection:
        old = (
            sa.func.current_timestamp() - sa.text("INTERVAL '10 days'")
            if connection.dialect.name == "postgresql"
            else sa.text("datetime('now', '-10 days')")
        )
        connection.execute(
            sa.update(generation_requests)
            .where(generation_requests.c.id == request_id)
            .values(created_at=old)
        )
    assert container.apply_retention().requests_archived == 0
    container.config.request_archive_days.override(30)
    assert container.apply_retention().requests_archived == 0
    container.config.request_archive_days.override(None)
    container.put_setting(PutSetting(key="request_archive_days", value=7))
    assert container.apply_retention().requests_archived == 1
