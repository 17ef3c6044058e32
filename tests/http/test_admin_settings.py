"""Admin settings routes: typed values, write-only encrypted ones, errors that name the
field, and every write in the audit log."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from genmedia.domain.money import VND_PER_CREDIT
from genmedia.domain.purchases import CreditPack
from genmedia.entrypoints.container import Container
from tests.http.conftest import Registered

URL = "/v1/admin/settings"


def test_an_admin_creates_reads_changes_and_deletes_a_typed_setting(
    client: TestClient[Any], admin: Registered
) -> None:
    body = {"key": "vnd_per_credit", "value": "1000", "type": "int", "group": "billing"}
    created = client.post(URL, headers=admin.headers, json=body)
    assert created.status_code == 201, created.text
    assert (created.json()["value"], created.json()["type"]) == (1000, "int")

    changed = client.patch(
        f"{URL}/vnd_per_credit", headers=admin.headers, json={"value": 1200, "label": "Rate"}
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["value"], changed.json()["label"]) == (1200, "Rate")
    assert client.get(f"{URL}/vnd_per_credit", headers=admin.headers).json()["value"] == 1200
    assert [s["key"] for s in client.get(URL, headers=admin.headers).json()["items"]] == [
        "vnd_per_credit"
    ]

    assert client.delete(f"{URL}/vnd_per_credit", headers=admin.headers).status_code == 204
    assert client.get(f"{URL}/vnd_per_credit", headers=admin.headers).status_code == 404
    audit = client.get("/v1/admin/audit", headers=admin.headers).json()["items"]
    assert [(e["action"], e["entity_id"], e["actor_id"]) for e in audit] == [
        ("delete", "vnd_per_credit", admin.id),
        ("update", "vnd_per_credit", admin.id),
        ("create", "vnd_per_credit", admin.id),
    ]
    assert audit[1]["changed"] == ["label", "value"]


def test_a_json_setting_takes_a_document_or_its_text(
    client: TestClient[Any], admin: Registered
) -> None:
    body = {"key": "limits", "value": {"rpm": 60}, "type": "json"}
    assert client.post(URL, headers=admin.headers, json=body).json()["value"] == {"rpm": 60}
    answer = client.patch(f"{URL}/limits", headers=admin.headers, json={"value": '{"rpm": 30}'})
    assert answer.json()["value"] == {"rpm": 30}


def _problem_fields(answer: Any) -> list[str]:
    assert answer.status_code == 422, answer.text
    return [error["field"] for error in answer.json()["errors"]]


def test_bad_input_is_refused_naming_the_field_and_stores_nothing(
    client: TestClient[Any], admin: Registered
) -> None:
    cases = [
        ({"key": "rate", "value": "ten", "type": "int"}, "value"),
        ({"key": "Bad Key", "value": "x"}, "key"),
        ({"key": "rate", "value": "1", "type": "decimal"}, "type"),
        ({"key": "bfl_api_key", "value": "sk-1"}, "is_encrypted"),
        ({"key": "rate", "value": "1", "group": "Bad Group"}, "group"),
    ]
    for body, field in cases:
        assert field in _problem_fields(client.post(URL, headers=admin.headers, json=body))
    assert client.get(URL, headers=admin.headers).json()["items"] == []
    assert client.get("/v1/admin/audit", headers=admin.headers).json()["items"] == []


def test_a_taken_key_is_a_conflict_and_an_unknown_one_is_not_found(
    client: TestClient[Any], admin: Registered
) -> None:
    body = {"key": "site_name", "value": "genmedia"}
    assert client.post(URL, headers=admin.headers, json=body).status_code == 201
    assert client.post(URL, headers=admin.headers, json=body).status_code == 409
    missing = client.patch(f"{URL}/nothing", headers=admin.headers, json={"value": "x"})
    assert missing.status_code == 404
    assert client.delete(f"{URL}/nothing", headers=admin.headers).status_code == 404


def test_changing_the_type_rereads_the_value_or_names_it(
    client: TestClient[Any], admin: Registered
) -> None:
    client.post(URL, headers=admin.headers, json={"key": "flag", "value": "yes", "type": "bool"})
    refused = client.patch(f"{URL}/flag", headers=admin.headers, json={"type": "int"})
    assert _problem_fields(refused) == ["value"]
    answer = client.patch(f"{URL}/flag", headers=admin.headers, json={"type": "string"})
    assert answer.json()["value"] == "true"


def test_an_encrypted_value_is_write_only_and_encryption_is_turned_off_only_with_a_new_value(
    client: TestClient[Any], admin: Registered
) -> None:
    body = {"key": "motto", "value": "hush", "is_encrypted": True}
    created = client.post(URL, headers=admin.headers, json=body)
    assert created.json()["value"] == "***"
    off = client.patch(f"{URL}/motto", headers=admin.headers, json={"is_encrypted": False})
    assert _problem_fields(off) == ["value"]
    relabelled = client.patch(f"{URL}/motto", headers=admin.headers, json={"label": "Motto"})
    assert (relabelled.json()["value"], relabelled.json()["label"]) == ("***", "Motto")
    clear = {"is_encrypted": False, "value": "loud"}
    assert client.patch(f"{URL}/motto", headers=admin.headers, json=clear).json()["value"] == "loud"


def test_credit_packs_are_valued_at_the_rate_an_admin_sets_when_none_is_configured(
    client: TestClient[Any], container: Container, admin: Registered
) -> None:
    container.create_credit_pack(CreditPack(name="Card", credits=300, price=1999, currency="USD"))

    def value() -> int:
        [pack] = client.get("/v1/credit-packs", headers=admin.headers).json()["items"]
        return int(pack["value_vnd"])

    assert value() == 300 * VND_PER_CREDIT
    body = {"key": "vnd_per_credit", "value": 1200, "type": "int", "group": "billing"}
    assert client.post(URL, headers=admin.headers, json=body).status_code == 201
    assert value() == 300 * 1200
    container.config.vnd_per_credit.override(250)
    assert value() == 300 * 250
