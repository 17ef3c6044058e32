"""Acceptance "Settings" (issue #20) on PostgreSQL: an encrypted value never appears in a
response, a log line or the database in clear, whether set over HTTP, by the CLI or by a use
case; after a key rotation old values still decrypt, and after `genmedia settings rotate`
the new key alone decrypts them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from genmedia.adapters.sql.tables import metadata
from genmedia.application.errors import UndecryptableSecret
from genmedia.application.settings.commands import PutSetting
from genmedia.entrypoints import cli
from genmedia.entrypoints.container import Container
from tests.http.conftest import http_container, register_admin

pytestmark = pytest.mark.integration

OLD_KEY = "old-server-key-5b1e0c9d4f"
NEW_KEY = "new-server-key-a83f27c610"
SECRETS = {
    "bfl_api_key": "sk-http-3f9a1c77e2b4",
    "fal_api_key": "sk-http-patched-d0e5a9",
    "replicate_api_key": "r8-cli-6c2d8e41f0aa",
    "openrouter_api_key": "sk-or-usecase-9e7b3d",
}


@pytest.fixture
def http_settings() -> dict[str, Any]:
    return {"secret_key": OLD_KEY}


@contextmanager
def _app(url: str, home: Path, **settings: Any) -> Iterator[Container]:
    app = http_container(home, url, **settings)
    try:
        yield app
    finally:
        app.shutdown_resources()


def _database_text(engine: sa.Engine) -> str:
    """Every column of every row of every table, as text."""
    with engine.connect() as connection:
        return "\n".join(
            repr(tuple(row)) + " " + " ".join(map(str, row))
            for table in metadata.sorted_tables
            for row in connection.execute(sa.select(table))
        )


def _cli(monkeypatch: pytest.MonkeyPatch, url: str, home: Path, *argv: str, stdin: str = "") -> int:
    monkeypatch.setenv("GENMEDIA_DATABASE_URL", url)
    monkeypatch.setenv("GENMEDIA_HOME", str(home))
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return cli.main(list(argv))


def _set_everywhere(
    client: TestClient[Any],
    container: Container,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    home: Path,
) -> list[str]:
    """Set each secret one way; the bodies of every answer about them."""
    admin = register_admin(client, container)
    url_of = "/v1/admin/settings"
    calls = [
        (
            "POST",
            url_of,
            {
                "key": "bfl_api_key",
                "value": SECRETS["bfl_api_key"],
                "is_encrypted": True,
                "group": "providers",
            },
        ),
        ("POST", url_of, {"key": "fal_api_key", "value": "placeholder", "is_encrypted": True}),
        ("PATCH", f"{url_of}/fal_api_key", {"value": SECRETS["fal_api_key"]}),
        ("PATCH", f"{url_of}/bfl_api_key", {"label": "Black Forest Labs"}),
    ]
    bodies = [client.request(m, p, headers=admin.headers, json=b).text for m, p, b in calls]
    monkeypatch.setenv("GENMEDIA_SECRET_KEY", OLD_KEY)
    secret = SECRETS["replicate_api_key"] + "\n"
    assert (
        _cli(
            monkeypatch,
            url,
            home,
            "settings",
            "set",
            "replicate_api_key",
            "-",
            "--secret",
            stdin=secret,
        )
        == 0
    )
    container.put_setting(PutSetting(key="openrouter_api_key", value=SECRETS["openrouter_api_key"]))
    for path in (url_of, *(f"{url_of}/{key}" for key in SECRETS), "/v1/admin/audit"):
        answer = client.get(path, headers=admin.headers)
        assert answer.status_code == 200, answer.text
        bodies.append(answer.text)
    for argv in (("list", "--json"), ("get", "replicate_api_key", "--json"), ("rotate",)):
        assert _cli(monkeypatch, url, home, "settings", *argv) == 0
    return bodies


def test_an_encrypted_value_never_appears_in_a_response_a_log_line_or_the_database(
    postgres_client: TestClient[Any],
    postgres_container: Container,
    postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="genmedia")
    args = (postgres_client, postgres_container, monkeypatch, postgres_url, tmp_path / "cli")
    bodies = _set_everywhere(*args)
    postgres_container.put_setting(PutSetting(key="motd", value="hello"))
    exported = tmp_path / "catalog.json"
    assert (
        _cli(monkeypatch, postgres_url, tmp_path / "cli", "catalog", "export", str(exported)) == 0
    )
    gateways = postgres_container.provider_gateways()  # built with the keys from settings
    printed = capsys.readouterr()

    logged = caplog.text + "".join(repr(r.args) + str(r.exc_info) for r in caplog.records)
    places = {
        "responses": "\n".join(bodies),
        "logs": logged,
        "the terminal": printed.out + printed.err,
        "the database": _database_text(postgres_container.engine()),
        "a catalog export": exported.read_text(encoding="utf-8"),
    }
    leaks = [
        f"{key} in {where}"
        for key, secret in SECRETS.items()
        for where, text in places.items()
        if secret in text
    ]
    assert leaks == []
    assert "gAAAAA" in places["the database"]  # Fernet tokens are there instead
    assert caplog.records
    assert bodies[0].count('"***"') == 1
    assert json.loads(places["a catalog export"])["settings"][0]["key"] == "motd"
    assert not any(key in places["a catalog export"] for key in SECRETS)  # not even masked
    assert sorted(gateways) == ["bfl", "fal", "local", "openrouter", "replicate"]
    for key, secret in SECRETS.items():  # the code that needs a value gets it in clear
        assert postgres_container.secret_setting(key) == secret


def test_after_a_key_rotation_old_values_decrypt_and_after_rotate_the_new_key_alone_does(
    postgres_container: Container,
    postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for key, secret in SECRETS.items():
        postgres_container.put_setting(PutSetting(key=key, value=secret))
    home = tmp_path / "rotated"
    with _app(postgres_url, home, secret_key=NEW_KEY, secret_key_old=f"older,{OLD_KEY}") as app:
        assert {key: app.secret_setting(key) for key in SECRETS} == SECRETS
    with _app(postgres_url, home, secret_key=NEW_KEY) as alone, pytest.raises(UndecryptableSecret):
        alone.secret_setting("bfl_api_key")

    monkeypatch.setenv("GENMEDIA_SECRET_KEY", NEW_KEY)
    monkeypatch.setenv("GENMEDIA_SECRET_KEY_OLD", OLD_KEY)
    capsys.readouterr()
    assert _cli(monkeypatch, postgres_url, home, "settings", "rotate", "--json") == 0
    assert json.loads(capsys.readouterr().out) == {"reencrypted": len(SECRETS)}

    with _app(postgres_url, home, secret_key=NEW_KEY) as alone:
        assert {key: alone.secret_setting(key) for key in SECRETS} == SECRETS
    with _app(postgres_url, home, secret_key=OLD_KEY) as old, pytest.raises(UndecryptableSecret):
        old.secret_setting("bfl_api_key")
