"""Admin of coupons, gift cards and credit packs on both databases: CRUD, soft deletes that
keep what the ledger names, codes never listed, every write audited, odd bodies refused."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from genmedia.adapters.sql.tables import coupons, credit_packs, gift_cards
from genmedia.entrypoints.container import Container
from tests.http.conftest import Register, Registered

COUPON = {"code": "spring-26", "discount_type": "credits", "discount_value": 40, "max_uses": 2}
PACK = {"name": "Starter", "credits": 100, "price": 499, "currency": "usd"}


def _audit(client: TestClient[Any], admin: Registered) -> list[dict[str, Any]]:
    answer = client.get("/v1/admin/audit", headers=admin.headers, params={"limit": 100})
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def _created(client: TestClient[Any], admin: Registered, path: str, body: Any) -> dict[str, Any]:
    answer = client.post(f"/v1/admin/{path}", json=body, headers=admin.headers)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def _rows(container: Container, table: sa.Table) -> int:
    with container.engine().connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_an_admin_creates_reads_lists_changes_and_retires_a_coupon_each_write_audited(
    client: TestClient[Any], admin: Registered
) -> None:
    coupon = _created(client, admin, "coupons", COUPON)
    assert (coupon["code"], coupon["used_count"], coupon["is_active"]) == ("SPRING-26", 0, True)
    path = f"/v1/admin/coupons/{coupon['id']}"
    assert client.get(path, headers=admin.headers).json() == coupon
    changed = client.patch(
        path, json={"max_uses": None, "valid_until": "2099-01-01T00:00:00Z"}, headers=admin.headers
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["max_uses"], changed.json()["valid_until"]) == (
        None,
        "2099-01-01T00:00:00Z",
    )
    assert client.delete(path, headers=admin.headers).status_code == 204
    assert client.get(path, headers=admin.headers).json()["is_active"] is False
    listed = client.get("/v1/admin/coupons", headers=admin.headers).json()
    assert [c["id"] for c in listed["items"]] == [coupon["id"]]
    actions = [(e["action"], e["entity"], e["entity_id"]) for e in _audit(client, admin)]
    assert actions == [(a, "coupon", str(coupon["id"])) for a in ("delete", "update", "create")]
    delete, update, create = _audit(client, admin)
    assert (create["before"], create["after"]["code"]) == (None, "SPRING-26")
    assert update["changed"] == ["max_uses", "valid_until"]
    assert (delete["before"]["is_active"], delete["after"]["is_active"]) == (True, False)


def test_a_used_coupon_keeps_what_it_gives_and_stays_after_its_delete(
    client: TestClient[Any], admin: Registered, register: Register, container: Container
) -> None:
    coupon = _created(client, admin, "coupons", COUPON)
    buyer = register()
    redeemed = client.post("/v1/wallet/redeem", json={"code": "spring-26"}, headers=buyer.headers)
    assert redeemed.status_code == 200, redeemed.text
    path = f"/v1/admin/coupons/{coupon['id']}"
    refused = client.patch(path, json={"discount_value": 400}, headers=admin.headers)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "discount_value"
    below = client.patch(path, json={"max_uses": 0}, headers=admin.headers)
    assert below.status_code == 422
    assert client.delete(path, headers=admin.headers).status_code == 204
    assert _rows(container, coupons) == 1
    again = client.post("/v1/wallet/redeem", json={"code": "spring-26"}, headers=register().headers)
    assert again.status_code == 409
    entries = client.get("/v1/wallet/transactions", headers=buyer.headers).json()["items"]
    assert entries[0]["related"]["coupon_id"] == coupon["id"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({**COUPON, "code": "x"}, ["code"]),
        ({**COUPON, "discount_type": "half"}, ["discount_type"]),
        ({**COUPON, "discount_value": "40", "max_uses": 1.5}, ["discount_value", "max_uses"]),
        ({**COUPON, "discount_type": "fixed_amount"}, ["currency"]),
        ({**COUPON, "valid_from": "yesterday"}, ["valid_from"]),
        ({**COUPON, "valid_from": "2030-01-01T00:00:00"}, ["valid_from"]),
        ({**COUPON, "discount_value": 10**30}, ["discount_value"]),
        ({"code": "ABC"}, ["discount_type", "discount_value"]),
        ({**COUPON, "colour": "red"}, ["colour"]),
        ([COUPON], ["body"]),
        ("coupon", ["body"]),
    ],
)
def test_a_bad_coupon_is_a_422_naming_each_bad_field_and_nothing_is_stored(
    client: TestClient[Any], admin: Registered, container: Container, body: Any, fields: list[str]
) -> None:
    answer = client.post("/v1/admin/coupons", json=body, headers=admin.headers)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == fields
    assert _rows(container, coupons) == 0
    assert _audit(client, admin) == []


def test_a_taken_code_or_name_is_a_409_and_a_missing_object_a_404(
    client: TestClient[Any], admin: Registered
) -> None:
    _created(client, admin, "coupons", COUPON)
    _created(client, admin, "credit-packs", PACK)
    taken = client.post(
        "/v1/admin/coupons", json={**COUPON, "code": "SPRING-26"}, headers=admin.headers
    )
    assert taken.status_code == 409
    named = client.post("/v1/admin/credit-packs", json=PACK, headers=admin.headers)
    assert named.status_code == 409
    for path in ("coupons", "gift-cards", "credit-packs"):
        assert client.get(f"/v1/admin/{path}/999", headers=admin.headers).status_code == 404
        patched = client.patch(f"/v1/admin/{path}/999", json={}, headers=admin.headers)
        assert patched.status_code == 404
        assert client.delete(f"/v1/admin/{path}/999", headers=admin.headers).status_code == 404


def test_a_credit_pack_is_created_changed_and_taken_off_sale_but_kept(
    client: TestClient[Any], admin: Registered, user: Registered, container: Container
) -> None:
    pack = _created(client, admin, "credit-packs", PACK)
    assert (pack["currency"], pack["is_active"]) == ("USD", True)
    path = f"/v1/admin/credit-packs/{pack['id']}"
    changed = client.patch(path, json={"price": 599, "name": "Starter+"}, headers=admin.headers)
    assert (changed.json()["price"], changed.json()["name"]) == (599, "Starter+")
    bad = client.patch(path, json={"credits": 0, "price": -1}, headers=admin.headers)
    assert [e["field"] for e in bad.json()["errors"]] == ["credits"]
    on_sale = client.get("/v1/credit-packs", headers=user.headers).json()["items"]
    assert [p["id"] for p in on_sale] == [pack["id"]]
    assert client.delete(path, headers=admin.headers).status_code == 204
    assert client.get("/v1/credit-packs", headers=user.headers).json()["items"] == []
    assert client.get(path, headers=admin.headers).json()["is_active"] is False
    assert _rows(container, credit_packs) == 1
    assert [e["action"] for e in _audit(client, admin)] == ["delete", "update", "create"]


def test_an_issued_gift_card_shows_its_code_once_and_is_listed_without_it(
    client: TestClient[Any], admin: Registered, register: Register, container: Container
) -> None:
    pack = _created(client, admin, "credit-packs", PACK)
    card = _created(client, admin, "gift-cards", {"credit_pack_id": pack["id"]})
    assert (card["status"], card["credits"], card["price"]) == ("active", 100, 499)
    code = card.pop("code")
    assert card["code_hint"] == code.replace("-", "")[-4:]
    listed = client.get("/v1/admin/gift-cards", headers=admin.headers)
    shown = client.get(f"/v1/admin/gift-cards/{card['id']}", headers=admin.headers)
    for answer in (listed, shown, client.get("/v1/admin/audit", headers=admin.headers)):
        assert code not in answer.text
        assert code.replace("-", "") not in answer.text
        assert "code_hash" not in answer.text
    assert shown.json() == card
    friend = register()
    redeemed = client.post("/v1/wallet/redeem", json={"code": code}, headers=friend.headers)
    assert redeemed.json()["credits_awarded"] == 100
    path = f"/v1/admin/gift-cards/{card['id']}"
    assert client.delete(path, headers=admin.headers).status_code == 409
    assert client.patch(path, json={"expires_at": None}, headers=admin.headers).status_code == 409
    assert client.get(path, headers=admin.headers).json()["status"] == "redeemed"
    assert _rows(container, gift_cards) == 1


def test_a_gift_card_of_credits_is_changed_then_withdrawn_and_can_no_longer_be_redeemed(
    client: TestClient[Any], admin: Registered, user: Registered
) -> None:
    card = _created(client, admin, "gift-cards", {"credits": 30, "recipient_email": "a@b.co"})
    assert (card["price"], card["currency"], card["purchaser_user_id"]) == (0, "USD", admin.id)
    path = f"/v1/admin/gift-cards/{card['id']}"
    changed = client.patch(
        path, json={"recipient_email": "Friend@Example.com"}, headers=admin.headers
    )
    assert changed.json()["recipient_email"] == "friend@example.com"
    refused = client.patch(path, json={"credits": 3000}, headers=admin.headers)
    assert refused.json()["errors"] == [{"field": "credits", "message": "is not a field here"}]
    assert client.delete(path, headers=admin.headers).status_code == 204
    assert client.delete(path, headers=admin.headers).status_code == 204
    assert client.get(path, headers=admin.headers).json()["status"] == "expired"
    late = client.post("/v1/wallet/redeem", json={"code": card["code"]}, headers=user.headers)
    assert late.status_code == 409
    assert [e["action"] for e in _audit(client, admin)] == ["delete", "update", "create"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "credits"), ({"credit_pack_id": 999}, "credit_pack_id"), ({"credits": 0}, "credits")],
)
def test_a_gift_card_needs_credits_or_a_pack(
    client: TestClient[Any], admin: Registered, body: dict[str, Any], field: str
) -> None:
    answer = client.post("/v1/admin/gift-cards", json=body, headers=admin.headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == field


def test_admin_lists_page_newest_first(client: TestClient[Any], admin: Registered) -> None:
    ids = [
        _created(client, admin, "coupons", {**COUPON, "code": f"C{i}00"})["id"] for i in range(3)
    ]
    first = client.get("/v1/admin/coupons", headers=admin.headers, params={"limit": 2}).json()
    assert [c["id"] for c in first["items"]] == ids[:0:-1]
    rest = client.get(
        "/v1/admin/coupons", headers=admin.headers, params={"cursor": first["next_cursor"]}
    ).json()
    assert ([c["id"] for c in rest["items"]], rest["next_cursor"]) == ([ids[0]], None)
