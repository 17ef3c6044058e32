"""Fixtures of the HTTP tests: the app on the embedded container (SQLite) and on PostgreSQL,
a test client, and registered users with their tokens.

    def test_something(client: TestClient, register: Register) -> None:
        alice = register()                       # a new user: its id, e-mail, token, headers
        client.get("/v1/me", headers=alice.headers)

`client` runs each test on SQLite and on PostgreSQL; `sqlite_client` / `postgres_client`
pick one. `container` is the app's container, to set up data through the use cases.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from litestar.testing import TestClient

from genmedia.entrypoints.container import Container, build_container
from genmedia.entrypoints.http.app import create_app
from genmedia.entrypoints.settings import Settings

PASSWORD = "correct horse battery"
_emails = itertools.count(1)


@attrs.frozen
class Registered:
    """A user registered over HTTP: their id, e-mail, password and session token."""

    id: int
    email: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header of this user."""
        return {"Authorization": f"Bearer {self.token}"}


Register = Callable[..., Registered]


def http_container(home: Path, database_url: str, **settings: Any) -> Container:
    """A container for the app: embedded parts under `home`, this database, these settings."""
    return build_container(Settings(home=home, database_url=database_url, **settings))


@pytest.fixture
def http_settings() -> dict[str, Any]:
    """Settings of the app under test; override this fixture to change them."""
    return {}


def _container(url: str, tmp_path: Path, settings: dict[str, Any]) -> Iterator[Container]:
    container = http_container(tmp_path / "home", url, **settings)
    yield container
    container.shutdown_resources()


@pytest.fixture
def sqlite_container(
    sqlite_url: str, tmp_path: Path, http_settings: dict[str, Any]
) -> Iterator[Container]:
    """A container on a migrated SQLite file of this test's own."""
    yield from _container(sqlite_url, tmp_path, http_settings)


@pytest.fixture
def postgres_container(
    clean_postgres_engine: Any, postgres_url: str, tmp_path: Path, http_settings: dict[str, Any]
) -> Iterator[Container]:
    """A container on the run's PostgreSQL database, emptied for this test."""
    yield from _container(postgres_url, tmp_path, http_settings)


@pytest.fixture(params=["sqlite", "postgresql"])
def container(request: pytest.FixtureRequest) -> Container:
    """The app's container, on SQLite then on PostgreSQL."""
    name = "sqlite_container" if request.param == "sqlite" else "postgres_container"
    result: Container = request.getfixturevalue(name)
    return result


def _client(container: Container) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(container)) as client:
        yield client


@pytest.fixture
def client(container: Container) -> Iterator[TestClient[Any]]:
    """A test client of the app, on SQLite then on PostgreSQL."""
    yield from _client(container)


@pytest.fixture
def sqlite_client(sqlite_container: Container) -> Iterator[TestClient[Any]]:
    """A test client of the app on SQLite."""
    yield from _client(sqlite_container)


@pytest.fixture
def postgres_client(postgres_container: Container) -> Iterator[TestClient[Any]]:
    """A test client of the app on PostgreSQL."""
    yield from _client(postgres_container)


def register_user(client: TestClient[Any], email: str | None = None, **body: Any) -> Registered:
    """Register a user through POST /v1/auth/register; fails the test unless it is a 201."""
    email = email or f"user{next(_emails)}@example.com"
    password = body.pop("password", PASSWORD)
    answer = client.post("/v1/auth/register", json={"email": email, "password": password, **body})
    assert answer.status_code == 201, answer.text
    data = answer.json()
    return Registered(id=data["user"]["id"], email=email, password=password, token=data["token"])


@pytest.fixture
def register(client: TestClient[Any]) -> Register:
    """Registers a new user on `client` at each call."""
    return lambda email=None, **body: register_user(client, email, **body)


def register_admin(client: TestClient[Any], container: Container) -> Registered:
    """An admin, created through the use case (no route makes one) and logged in over HTTP."""
    from genmedia.application.identity.commands import CreateUser

    email = f"admin{next(_emails)}@example.com"
    created = container.create_user(CreateUser(email=email, password=PASSWORD, is_admin=True))
    answer = client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return Registered(
        id=created.id or 0, email=email, password=PASSWORD, token=answer.json()["token"]
    )


@pytest.fixture
def admin(client: TestClient[Any], container: Container) -> Registered:
    """A logged-in admin."""
    return register_admin(client, container)


@pytest.fixture
def user(register: Register) -> Registered:
    """One registered user."""
    return register()
