"""Settings in catalog documents: typed values in, encrypted settings never in or out, never
retired by a prune (issue #20 §5)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from genmedia.application.catalog.document import read_document
from genmedia.application.catalog.loading import export_catalog, load_catalog
from genmedia.application.settings.commands import DefineSetting
from genmedia.application.settings.values import create_setting
from genmedia.domain.errors import InvalidInput
from tests.fakes import FakeClock, FakeUnitOfWork
from tests.fakes.settings import FakeCipher

CLOCK = FakeClock()
SECRET = "sk-catalog-4f1e9b"
TYPED = [
    {"key": "vnd_per_credit", "type": "int", "value": 1000, "group": "billing"},
    {"key": "ratio", "type": "float", "value": 1.5},
    {"key": "beta", "type": "bool", "value": True, "label": "Beta"},
    {"key": "banner", "type": "json", "value": {"z": [1, None], "a": "x"}},
    {"key": "quoted", "type": "json", "value": "[1] is text"},
    {"key": "motd", "value": "Hello", "description": "Shown at sign-in"},
    {"key": "unset", "type": "int", "value": None},
]


def _define(uow: FakeUnitOfWork, **fields: Any) -> None:
    create_setting(DefineSetting(**fields), uow=uow, cipher=FakeCipher(), clock=CLOCK)


def _with_secrets() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    _define(uow, key="vnd_per_credit", value=1000, type="int", group="billing")
    _define(uow, key="bfl_api_key", value=SECRET, is_encrypted=True)
    _define(uow, key="webhook_url", value="https://hooks.example/" + SECRET, is_encrypted=True)
    return uow


def _problems(document: Any) -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        read_document(document)
    return [str(error) for error in refused.value.field_errors()]


def test_an_export_holds_each_setting_with_its_typed_value_and_leaves_encrypted_ones_out() -> None:
    exported = export_catalog(uow=_with_secrets())

    assert exported["settings"] == [
        {
            "key": "vnd_per_credit",
            "type": "int",
            "value": 1000,
            "group": "billing",
            "label": None,
            "description": None,
        }
    ]
    text = json.dumps(exported)
    assert ("bfl_api_key" in text, "webhook_url" in text, "***" in text) == (False, False, False)
    assert SECRET not in text


def test_every_type_of_value_survives_an_export_and_a_second_load_writes_nothing() -> None:
    uow = FakeUnitOfWork()
    load_catalog({"settings": TYPED}, uow=uow, clock=CLOCK)
    exported = export_catalog(uow=uow)
    written = list(uow.db.catalog_writes)

    again = FakeUnitOfWork()
    load_catalog(exported, uow=again, clock=CLOCK)
    second = load_catalog(exported, uow=again, clock=CLOCK)

    assert export_catalog(uow=again) == exported
    assert {s["key"]: s["value"] for s in exported["settings"]} == {
        s["key"]: s["value"] for s in TYPED
    }
    assert again.db.settings["quoted"].value == '"[1] is text"'
    assert len(written) == len(TYPED)
    assert (second.writes, second.counts()["settings"]["unchanged"]) == (False, len(TYPED))


def test_a_value_is_compared_as_its_type_and_a_changed_setting_is_updated_in_place() -> None:
    uow = _with_secrets()
    stored_id = uow.db.settings["vnd_per_credit"].id

    as_text = {"key": "vnd_per_credit", "type": "int", "value": "1000", "group": "billing"}
    same = load_catalog({"settings": [as_text]}, uow=uow, clock=CLOCK)
    changed = load_catalog(
        {"settings": [{"key": "vnd_per_credit", "type": "int", "value": 1500}]},
        uow=uow,
        clock=CLOCK,
    )

    assert same.writes is False
    assert changed.sections["settings"].updated == ("vnd_per_credit",)
    stored = uow.db.settings["vnd_per_credit"]
    assert (stored.id, stored.value, stored.group) == (stored_id, "1500", "general")


def test_a_setting_marked_encrypted_named_like_a_credential_or_badly_typed_is_refused() -> None:
    problems = _problems(
        {
            "settings": [
                {"key": "fal_api_key", "value": "sk-x"},
                {"key": "webhook_url", "value": "https://x", "is_encrypted": True},
                {"key": "rate", "type": "int", "value": "many"},
                {"key": "Rate", "type": "decimal"},
            ]
        }
    )

    assert problems[0].startswith("settings[0].key: names a credential; ")
    assert problems[1].startswith("settings[1].is_encrypted: not a field of a setting here; ")
    assert problems[2:] == [
        "settings[2].value: is not a valid int",
        "settings[3].type: must be one of bool, float, int, json, string",
    ]


def test_a_load_never_overwrites_an_encrypted_setting_of_the_same_key() -> None:
    uow = _with_secrets()
    before = uow.db.settings["webhook_url"].value
    document = {"settings": [{"key": "motd", "value": "Hi"}, {"key": "webhook_url", "value": "x"}]}

    with pytest.raises(InvalidInput) as refused:
        load_catalog(document, uow=uow, clock=CLOCK)

    assert [str(e) for e in refused.value.field_errors()] == [
        "settings[1].key: is an encrypted setting, which a catalog load never changes"
    ]
    assert (uow.db.catalog_writes, "motd" in uow.db.settings) == ([], False)
    assert uow.db.settings["webhook_url"].value == before


def test_a_pruning_load_keeps_the_settings_the_document_lacks() -> None:
    uow = _with_secrets()

    report = load_catalog({"settings": []}, uow=uow, clock=CLOCK, prune=True)

    assert report.sections["settings"].kept == ("vnd_per_credit",)
    assert (report.writes, sorted(uow.db.settings)) == (
        False,
        ["bfl_api_key", "vnd_per_credit", "webhook_url"],
    )
