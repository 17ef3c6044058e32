"""Idempotency-Key (API.md, Conventions): one run per caller and key, the answer replayed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa
from dependency_injector import providers
from litestar.testing import AsyncTestClient, TestClient

from genmedia.adapters.sql.tables import access_tokens, idempotency_keys, users
from genmedia.entrypoints.container import Container
from genmedia.entrypoints.http.app import create_app
from tests.fakes import FakeClock
from tests.http.conftest import PASSWORD, Registered

DAY = 24 * 3600


def _api_tokens(container: Container, user_id: int) -> int:
    with container.engine().connect() as connection:
        count = connection.execute(
            sa.select(sa.func.count())
            .select_from(access_tokens)
            .where(access_tokens.c.user_id == user_id, access_tokens.c.kind == "api")
        )
        return int(count.scalar_one())


def _create_token(client: TestClient[Any], user: Registered, key: str, name: str = "ci") -> Any:
    headers = {**user.headers, "Idempotency-Key": key}
    return client.post("/v1/api-tokens", json={"name": name}, headers=headers)


def test_a_retry_with_the_key_gets_the_first_answer_and_runs_nothing(
    client: TestClient[Any], container: Container, user: Registered
) -> None:
    first = _create_token(client, user, "key-1")
    again = _create_token(client, user, "key-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["content-type"] == first.headers["content-type"]
    assert _api_tokens(container, user.id) == 1


def test_the_key_with_another_body_is_a_409(
    client: TestClient[Any], container: Container, user: Registered
) -> None:
    assert _create_token(client, user, "key-1", "ci").status_code == 201
    other = _create_token(client, user, "key-1", "deploy")
    assert other.status_code == 409
    assert other.json()["code"] == "conflict"
    assert "Idempotency-Key" in other.json()["detail"]
    assert _api_tokens(container, user.id) == 1


def test_without_a_key_every_call_runs(
    client: TestClient[Any], container: Container, user: Registered
) -> None:
    for _ in range(2):
        assert client.post("/v1/api-tokens", json={"name": "ci"}, headers=user.headers).is_success
    assert _api_tokens(container, user.id) == 2


def test_keys_belong_to_their_caller(client: TestClient[Any], register: Any) -> None:
    alice, bob = register(), register()
    mine = _create_token(client, alice, "shared")
    theirs = _create_token(client, bob, "shared")
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["token"] != theirs.json()["token"]


def test_an_anonymous_register_is_replayed_by_its_key(
    client: TestClient[Any], container: Container
) -> None:
    body = {"email": "once@example.com", "password": PASSWORD}
    headers = {"Idempotency-Key": "signup"}
    first = client.post("/v1/auth/register", json=body, headers=headers)
    again = client.post("/v1/auth/register", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    without_key = client.post("/v1/auth/register", json=body)
    assert without_key.status_code == 409


def test_an_error_answer_is_not_kept(client: TestClient[Any], container: Container) -> None:
    body = {"email": "not-an-email", "password": PASSWORD}
    headers = {"Idempotency-Key": "bad"}
    assert client.post("/v1/auth/register", json=body, headers=headers).status_code == 422
    with container.engine().connect() as connection:
        kept = connection.execute(sa.select(idempotency_keys)).all()
    assert kept == []


@pytest.mark.parametrize("key", [b"", b"x" * 256, b"tab\there", "é".encode()])
def test_a_bad_key_is_a_422_naming_the_header(
    client: TestClient[Any], user: Registered, key: bytes
) -> None:
    answer = client.post(
        "/v1/api-tokens",
        json={"name": "ci"},
        headers=[*user.headers.items(), ("Idempotency-Key", key)],
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "Idempotency-Key"


def test_a_key_expires_after_a_day_and_is_swept(
    client: TestClient[Any], container: Container, user: Registered
) -> None:
    clock = FakeClock()
    container.clock.override(providers.Object(clock))
    first = _create_token(client, user, "daily")
    clock.advance(DAY - 1)
    assert _create_token(client, user, "daily").json() == first.json()
    clock.advance(1)
    assert container.expire_idempotency_keys() == 1
    later = _create_token(client, user, "daily")
    assert later.status_code == 201
    assert later.json()["token"] != first.json()["token"]


def test_sixteen_concurrent_calls_with_one_key_run_once(
    postgres_container: Container,
) -> None:
    app = create_app(postgres_container)

    async def race() -> list[Any]:
        async with AsyncTestClient(app) as client:
            registered = await client.post(
                "/v1/auth/register", json={"email": "race@example.com", "password": PASSWORD}
            )
            headers = {
                "Authorization": f"Bearer {registered.json()['token']}",
                "Idempotency-Key": "the-one",
            }
            calls = [
                client.post("/v1/api-tokens", json={"name": "ci"}, headers=headers)
                for _ in range(16)
            ]
            return list(await asyncio.gather(*calls))

    answers = asyncio.run(race())
    assert {a.status_code for a in answers} == {201}
    assert len({a.text for a in answers}) == 1
    with postgres_container.engine().connect() as connection:
        user_id = connection.execute(
            sa.select(users.c.id).where(users.c.email == "race@example.com")
        ).scalar_one()
    assert _api_tokens(postgres_container, user_id) == 1


def test_sixteen_concurrent_registrations_with_one_key_create_one_user(
    postgres_container: Container,
) -> None:
    app = create_app(postgres_container)
    body = {"email": "crowd@example.com", "password": PASSWORD}

    async def race() -> list[Any]:
        async with AsyncTestClient(app) as client:
            calls = [
                client.post("/v1/auth/register", json=body, headers={"Idempotency-Key": "k"})
                for _ in range(16)
            ]
            return list(await asyncio.gather(*calls))

    answers = asyncio.run(race())
    assert {(a.status_code, a.text) for a in answers} == {(answers[0].status_code, answers[0].text)}
    assert answers[0].status_code == 201
    with postgres_container.engine().connect() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(users)).scalar_one()
    assert count == 1
