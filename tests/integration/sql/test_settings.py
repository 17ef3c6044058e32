"""The SQL setting repository on SQLite and PostgreSQL, and provider keys read from it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.settings.commands import PutSetting
from genmedia.domain.errors import AlreadyExists, NotFound
from genmedia.domain.settings import Setting
from genmedia.entrypoints.container import Container, build_container
from genmedia.entrypoints.settings import Settings

pytestmark = pytest.mark.integration


def _sealed(key: str = "bfl_api_key", value: str = "sk-1") -> Setting:
    clear = Setting.define(key=key, value=value, is_encrypted=True, group="providers")
    return clear.sealed_with(lambda text: "token-of-" + text[::-1])


def test_a_setting_round_trips_and_its_key_is_unique(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.settings.add(Setting.define(key="rate", value="1000", type="int", label="Rate"))
        with pytest.raises(AlreadyExists):
            uow.settings.add(Setting.define(key="rate", value="1"))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.settings.get("rate", for_update=True)
        assert uow.settings.find("other") is None
    assert (loaded.typed_value, loaded.label, loaded.group) == (1000, "Rate", "general")
    assert loaded.created_at is not None
    assert loaded.updated_at is not None


def test_an_encrypted_setting_is_loaded_sealed_and_never_stored_in_clear(
    engine: sa.Engine,
) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.settings.add(_sealed())
        with pytest.raises(ValueError, match="must be sealed"):
            uow.settings.add(Setting.define(key="x_secret", value="clear", is_encrypted=True))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.settings.get("bfl_api_key")
        encrypted = uow.settings.encrypted(for_update=True)
    assert (loaded.sealed, loaded.value) == (True, "token-of-1-ks")
    assert [s.key for s in encrypted] == ["bfl_api_key"]


def test_save_writes_every_field_and_delete_removes_the_row(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        setting = uow.settings.add(Setting.define(key="rate", value=5, type="int"))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        revised = uow.settings.get("rate", for_update=True).revised(
            {"type": "float", "group": "billing", "description": "VND per credit"}
        )
        uow.settings.save(revised)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.settings.get("rate")
        uow.settings.delete("rate")
        with pytest.raises(NotFound):
            uow.settings.delete("rate")
        with pytest.raises(NotFound):
            uow.settings.save(setting)
        uow.commit()
    assert (loaded.typed_value, loaded.group, loaded.description) == (
        5.0,
        "billing",
        "VND per credit",
    )


def test_settings_are_listed_by_id_in_pages(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        for key in ("c", "a", "b"):
            uow.settings.add(Setting.define(key=key, value=key))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        first = uow.settings.list(limit=2)
        rest = uow.settings.list(after=(first[-1].id or 0,), limit=2)
    assert [s.key for s in first + rest] == ["c", "a", "b"]


def _app(url: str, home: Path, **settings: str) -> Container:
    return build_container(Settings(home=home, database_url=url, **settings))  # type: ignore[arg-type]


def test_a_provider_key_comes_from_the_environment_first_then_from_settings(
    sqlite_url: str, tmp_path: Path
) -> None:
    app = _app(sqlite_url, tmp_path)
    try:
        app.put_setting(PutSetting(key="openrouter_api_key", value="sk-or-setting"))
        app.put_setting(PutSetting(key="fal_api_key", value="fal-setting"))
        assert "openrouter" in app.provider_gateways()
        assert app.openrouter_api_key() == "sk-or-setting"
    finally:
        app.shutdown_resources()
    app = _app(sqlite_url, tmp_path, fal_api_key="fal-env")
    try:
        assert app.fal_api_key() == "fal-env"
        assert app.bfl_api_key() is None
    finally:
        app.shutdown_resources()


def test_a_key_setting_no_key_decrypts_leaves_the_provider_out_with_a_warning(
    sqlite_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = _app(sqlite_url, tmp_path, secret_key="first-key")
    try:
        app.put_setting(PutSetting(key="openrouter_api_key", value="sk-or-lost"))
    finally:
        app.shutdown_resources()
    app = _app(sqlite_url, tmp_path, secret_key="second-key")
    try:
        with caplog.at_level(logging.DEBUG, logger="genmedia"):
            assert "openrouter" not in app.provider_gateways()
    finally:
        app.shutdown_resources()
    assert "openrouter_api_key cannot be decrypted" in caplog.text
    assert "sk-or-lost" not in caplog.text
