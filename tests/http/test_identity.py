"""Identity over HTTP (API.md, IDN-1, IDN-2): register, log in and out, /v1/me, API tokens."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from dependency_injector import providers
from litestar.testing import TestClient

from genmedia.adapters.sql.tables import access_tokens, users
from genmedia.domain.tokens import token_hash
from genmedia.entrypoints.container import Container
from tests.fakes import FakeClock
from tests.http.conftest import PASSWORD, Register, Registered

WEEK = 7 * 24 * 3600


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _login(client: TestClient[Any], email: str, password: str = PASSWORD) -> Any:
    return client.post("/v1/auth/login", json={"email": email, "password": password})


def test_register_answers_the_user_a_token_and_its_expiry(client: TestClient[Any]) -> None:
    answer = client.post(
        "/v1/auth/register",
        json={"email": "Ada@Example.com", "password": PASSWORD, "name": "  Ada  Lovelace "},
    )
    assert answer.status_code == 201
    body = answer.json()
    assert set(body) == {"user", "token", "expires_at"}
    assert body["user"]["email"] == "ada@example.com"
    assert body["user"]["name"] == "Ada Lovelace"
    assert body["user"]["is_admin"] is False
    assert body["token"].startswith("gms_")
    assert body["expires_at"].endswith("Z")


@pytest.mark.parametrize("http_settings", [{"welcome_credits": 7}])
def test_the_welcome_credits_are_a_setting(
    http_settings: dict[str, Any], client: TestClient[Any], user: Registered
) -> None:
    wallet = client.get("/v1/me", headers=user.headers).json()["wallet"]
    assert wallet == {"balance": 7, "held": 0, "available": 7}


def test_a_taken_e_mail_is_a_409_whatever_its_case(
    client: TestClient[Any], user: Registered
) -> None:
    again = client.post(
        "/v1/auth/register", json={"email": user.email.upper(), "password": PASSWORD}
    )
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"email": "not-an-email", "password": PASSWORD}, ["email"]),
        ({"email": "a@example.com", "password": "short"}, ["password"]),
        ({"email": "nul\u0000@example.com", "password": "short"}, ["email", "password"]),
        ({"email": "a@example.com", "password": PASSWORD, "name": "x\u0000y"}, ["name"]),
    ],
)
def test_bad_fields_are_a_422_naming_each_of_them(
    client: TestClient[Any], body: dict[str, str], fields: list[str]
) -> None:
    answer = client.post("/v1/auth/register", json=body)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == fields


def test_login_gives_a_new_session_and_sets_last_login_at(
    client: TestClient[Any], user: Registered
) -> None:
    assert client.get("/v1/me", headers=user.headers).json()["last_login_at"] is None
    answer = _login(client, user.email.upper())
    assert answer.status_code == 200
    assert set(answer.json()) == {"token", "expires_at"}
    session = {"Authorization": f"Bearer {answer.json()['token']}"}
    me = client.get("/v1/me", headers=session).json()
    assert me["id"] == user.id
    assert me["last_login_at"] is not None


def test_an_unknown_e_mail_and_a_wrong_password_get_the_same_answer(
    client: TestClient[Any], user: Registered
) -> None:
    wrong_password = _login(client, user.email, "not the password")
    unknown = _login(client, "nobody@example.com")
    assert wrong_password.status_code == unknown.status_code == 401
    assert wrong_password.json() == unknown.json()


def test_logout_ends_the_session_and_only_that_one(
    client: TestClient[Any], user: Registered
) -> None:
    other = {"Authorization": f"Bearer {_login(client, user.email).json()['token']}"}
    assert client.post("/v1/auth/logout", headers=user.headers).status_code == 204
    assert client.get("/v1/me", headers=user.headers).status_code == 401
    assert client.get("/v1/me", headers=other).status_code == 200


@pytest.mark.parametrize(
    "authorization", ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer gms_forged"]
)
def test_a_missing_or_unknown_token_is_a_401(client: TestClient[Any], authorization: str) -> None:
    answer = client.get("/v1/me", headers={"Authorization": authorization})
    assert answer.status_code == 401
    assert answer.json()["code"] == "unauthorized"


def test_an_expired_session_is_refused(
    client: TestClient[Any], container: Container, register: Register
) -> None:
    clock = FakeClock()
    container.clock.override(providers.Object(clock))
    user = register()
    clock.advance(WEEK - 1)
    assert client.get("/v1/me", headers=user.headers).status_code == 200
    clock.advance(1)
    assert client.get("/v1/me", headers=user.headers).status_code == 401


def test_an_inactive_user_cannot_log_in_and_their_tokens_stop_working(
    client: TestClient[Any], container: Container, user: Registered
) -> None:
    api = client.post("/v1/api-tokens", json={"name": "ci"}, headers=user.headers).json()
    with container.engine().begin() as connection:
        connection.execute(sa.update(users).where(users.c.id == user.id).values(is_active=False))
    assert client.get("/v1/me", headers=user.headers).status_code == 401
    assert client.get("/v1/me", headers=_bearer(api["token"])).status_code == 401
    refused = _login(client, user.email)
    assert refused.status_code == 401
    assert refused.json() == _login(client, "nobody@example.com").json()


def test_an_api_token_is_shown_once_and_stored_only_as_a_hash(
    client: TestClient[Any], container: Container, user: Registered
) -> None:
    created = client.post("/v1/api-tokens", json={"name": "ci"}, headers=user.headers)
    assert created.status_code == 201
    token = created.json()
    assert set(token) == {"id", "name", "token"}
    assert token["name"] == "ci"
    assert token["token"].startswith("gma_")
    me = client.get("/v1/me", headers=_bearer(token["token"]))
    assert me.json()["id"] == user.id
    with container.engine().connect() as connection:
        rows = connection.execute(sa.select(access_tokens)).all()
    stored = " ".join(str(value) for row in rows for value in row)
    assert token["token"] not in stored
    assert user.token not in stored
    assert token_hash(token["token"]) in stored


def test_a_deleted_api_token_stops_working(client: TestClient[Any], user: Registered) -> None:
    token = client.post("/v1/api-tokens", json={"name": "ci"}, headers=user.headers).json()
    bearer = {"Authorization": f"Bearer {token['token']}"}
    deleted = client.delete(f"/v1/api-tokens/{token['id']}", headers=user.headers)
    assert deleted.status_code == 204
    assert client.get("/v1/me", headers=bearer).status_code == 401
    again = client.delete(f"/v1/api-tokens/{token['id']}", headers=user.headers)
    assert again.status_code == 404


def test_another_user_s_api_token_is_not_found(client: TestClient[Any], register: Register) -> None:
    alice, bob = register(), register()
    token = client.post("/v1/api-tokens", json={"name": "ci"}, headers=alice.headers).json()
    answer = client.delete(f"/v1/api-tokens/{token['id']}", headers=bob.headers)
    assert answer.status_code == 404
    assert client.get("/v1/me", headers=_bearer(token["token"])).status_code == 200


def test_a_session_cannot_be_deleted_as_an_api_token(
    client: TestClient[Any], container: Container, user: Registered
) -> None:
    with container.engine().connect() as connection:
        session_id = connection.execute(
            sa.select(access_tokens.c.id).where(
                access_tokens.c.token_hash == token_hash(user.token)
            )
        ).scalar_one()
    assert client.delete(f"/v1/api-tokens/{session_id}", headers=user.headers).status_code == 404


@pytest.mark.parametrize("path", ["/v1/api-tokens/0", "/v1/api-tokens/99999999999999999999"])
def test_an_id_out_of_range_is_a_422(client: TestClient[Any], user: Registered, path: str) -> None:
    answer = client.delete(path, headers=user.headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "token_id"
