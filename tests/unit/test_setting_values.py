"""Settings in the domain: typed values read and checked, credentials kept encrypted."""

from __future__ import annotations

from typing import Any

import pytest

from genmedia.domain.errors import InvalidValue
from genmedia.domain.settings import MASK, Setting, SettingType, parse_value


@pytest.mark.parametrize(
    ("kind", "raw", "text", "typed"),
    [
        (SettingType.STRING, "hello", "hello", "hello"),
        (SettingType.INT, "25000", "25000", 25000),
        (SettingType.INT, 7, "7", 7),
        (SettingType.INT, 3.0, "3", 3),
        (SettingType.FLOAT, "0.25", "0.25", 0.25),
        (SettingType.FLOAT, 2, "2.0", 2.0),
        (SettingType.BOOL, "Yes", "true", True),
        (SettingType.BOOL, False, "false", False),
        (SettingType.JSON, '{"b": 1, "a": [1, 2]}', '{"a":[1,2],"b":1}', {"a": [1, 2], "b": 1}),
        (SettingType.JSON, {"x": None}, '{"x":null}', {"x": None}),
    ],
)
def test_a_value_is_kept_as_canonical_text_and_read_back_as_its_type(
    kind: SettingType, raw: Any, text: str, typed: Any
) -> None:
    setting = Setting.define(key="k", value=raw, type=kind)
    assert (setting.value, setting.typed_value) == (text, typed)
    assert parse_value(kind, text) == text  # reading canonical text again changes nothing


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        (SettingType.INT, "12.5"),
        (SettingType.INT, 3.5),
        (SettingType.INT, True),
        (SettingType.FLOAT, "nan"),
        (SettingType.FLOAT, "inf"),
        (SettingType.BOOL, "maybe"),
        (SettingType.JSON, "{not json"),
        (SettingType.STRING, 12),
        (SettingType.STRING, "nul\x00byte"),
        (SettingType.STRING, "x" * 70000),
    ],
)
def test_a_value_that_is_not_of_its_type_is_refused_naming_the_value(
    kind: SettingType, raw: Any
) -> None:
    with pytest.raises(InvalidValue) as raised:
        Setting.define(key="k", value=raw, type=kind)
    assert raised.value.field == "value"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"key": "Bad Key"}, "key"),
        ({"key": ""}, "key"),
        ({"type": "decimal"}, "type"),
        ({"group": "Billing!"}, "group"),
        ({"label": "x" * 129}, "label"),
        ({"description": "x" * 2001}, "description"),
        ({"description": "a\x00b"}, "description"),
        ({"key": "bfl_api_key"}, "is_encrypted"),
        ({"key": "stripe_webhook_secret"}, "is_encrypted"),
    ],
)
def test_a_setting_that_breaks_a_rule_is_refused_naming_the_field(
    fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValue) as raised:
        Setting.define(**{"key": "k", "value": "v", **fields})
    assert raised.value.field == field


def test_an_encrypted_value_is_shown_as_a_mask_sealed_or_open() -> None:
    setting = Setting.define(key="bfl_api_key", value="sk-123", is_encrypted=True)
    sealed = setting.sealed_with(lambda text: "cipher:" + text[::-1])

    assert setting.shown_value == sealed.shown_value == MASK
    assert sealed.shown()["value"] == MASK
    assert "sk-123" not in repr(setting) + repr(sealed) + str(sealed.shown())
    assert sealed.value == "cipher:321-ks"


def test_a_sealed_value_must_be_opened_to_be_read_or_revised() -> None:
    sealed = Setting.define(key="token_ttl", value=5, type="int", is_encrypted=True).sealed_with(
        lambda text: "c:" + text
    )
    with pytest.raises(ValueError, match="is sealed"):
        assert sealed.typed_value
    with pytest.raises(ValueError, match="is sealed"):
        sealed.revised({"label": "TTL"})
    assert sealed.opened_with(lambda token: token.removeprefix("c:")).typed_value == 5


def test_an_open_value_is_checked_against_its_type_again() -> None:
    sealed = Setting.define(key="n", value=5, type="int", is_encrypted=True).sealed_with(str)
    with pytest.raises(InvalidValue):
        sealed.opened_with(lambda token: "not a number")


def test_changing_the_type_rereads_the_current_value() -> None:
    setting = Setting.define(key="rate", value="1000", type="int")
    assert setting.revised({"type": "float"}).typed_value == 1000.0
    with pytest.raises(InvalidValue) as raised:
        setting.revised({"type": "bool"})
    assert raised.value.field == "value"


def test_turning_encryption_off_needs_a_new_value_so_the_old_one_stays_secret() -> None:
    setting = Setting.define(key="motto", value="hush", is_encrypted=True)
    with pytest.raises(InvalidValue) as raised:
        setting.revised({"is_encrypted": False})
    assert raised.value.field == "value"
    assert setting.revised({"is_encrypted": False, "value": "loud"}).value == "loud"


def test_a_revision_names_a_field_that_cannot_be_changed() -> None:
    with pytest.raises(InvalidValue) as raised:
        Setting.define(key="k", value="v").revised({"key": "other"})
    assert raised.value.field == "key"
