"""The Wallet routes (API.md, Wallet) on both databases: the wallet, its ledger with status and
links, credit packs, and redeeming coupon and gift-card codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from genmedia.domain.coupons import Coupon, DiscountType
from genmedia.domain.purchases import PaymentProvider
from genmedia.entrypoints.container import Container
from tests.commerce import paid
from tests.http.conftest import Register, Registered

PROBLEM = "application/problem+json"
STARS = PaymentProvider.TELEGRAM_STARS.value
TRANSACTION_FIELDS = {
    "id", "type", "kind", "amount", "balance_before", "balance_after", "reason", "source",
    "reference_id", "status", "related", "created_at",
}  # fmt: skip
RELATED_FIELDS = {
    "request_id", "job_id", "media_id", "coupon_id", "gift_card_id", "trained_model_id",
    "payment_id",
}  # fmt: skip


@pytest.fixture(autouse=True)
def catalog(container: Container) -> None:
    """The sample catalog, with its credit packs."""
    container.seed_catalog()


def _coupon(container: Container, code: str, **kw: Any) -> None:
    now = datetime.now(UTC)
    container.create_coupon(
        Coupon(
            code=code,
            discount_type=DiscountType.CREDITS,
            discount_value=25,
            valid_from=now - timedelta(days=1),
            **kw,
        )
    )


def _buy(container: Container, user: Registered, charge: str) -> None:
    pack = container.list_credit_packs(limit=1).items[0]
    payment = container.start_purchase(user.id, pack.id or 0, STARS)
    container.confirm_payment(paid(payment, charge))


def _redeem(client: TestClient[Any], user: Registered, code: str, **headers: str) -> Any:
    headers = {**user.headers, **headers}
    return client.post("/v1/wallet/redeem", json={"code": code}, headers=headers)


def test_the_wallet_shows_its_credits_and_lifetime_totals(
    client: TestClient[Any], container: Container, user: Registered
) -> None:
    _buy(container, user, "ch_1")
    answer = client.get("/v1/wallet", headers=user.headers)
    assert answer.status_code == 200
    assert answer.json() == {
        "balance": 200, "held": 0, "available": 200, "total_spent": 0, "total_bought": 100
    }  # fmt: skip


def test_transactions_are_paged_newest_first_with_status_and_links(
    client: TestClient[Any], container: Container, user: Registered
) -> None:
    _buy(container, user, "ch_1")
    _buy(container, user, "ch_2")
    container.refund_purchase(STARS, "ch_1")
    first = client.get("/v1/wallet/transactions?limit=2", headers=user.headers).json()
    rest = client.get(
        "/v1/wallet/transactions",
        params={"limit": 2, "cursor": first["next_cursor"]},
        headers=user.headers,
    ).json()
    entries = first["items"] + rest["items"]
    assert rest["next_cursor"] is None
    assert set(entries[0]) >= TRANSACTION_FIELDS
    assert set(entries[0]["related"]) >= RELATED_FIELDS
    shown = [(e["kind"], e["type"], e["status"], e["reference_id"]) for e in entries]
    assert shown == [
        ("refund", "debit", "completed", "refund:telegram_stars:ch_1"),
        ("purchase", "credit", "completed", "payment:telegram_stars:ch_2"),
        ("purchase", "credit", "refunded", "payment:telegram_stars:ch_1"),
        ("bonus", "credit", "completed", f"welcome:{user.id}"),
    ]
    assert entries[0]["related"]["payment_id"] == entries[2]["related"]["payment_id"]
    assert entries[2]["related"]["payment_id"] is not None
    assert [e["balance_after"] for e in entries] == [200, 300, 200, 100]


def test_a_users_ledger_never_shows_another_users_entries(
    client: TestClient[Any], container: Container, register: Register
) -> None:
    ann, bob = register(), register()
    _buy(container, ann, "ch_ann")
    bobs = client.get("/v1/wallet/transactions", headers=bob.headers).json()["items"]
    assert [e["reference_id"] for e in bobs] == [f"welcome:{bob.id}"]


def test_credit_packs_are_listed_fewest_credits_first(
    client: TestClient[Any], user: Registered
) -> None:
    answer = client.get("/v1/credit-packs", headers=user.headers)
    assert answer.status_code == 200
    packs = answer.json()["items"]
    assert [(p["name"], p["credits"], p["price"], p["currency"]) for p in packs] == [
        ("Starter", 100, 50, "XTR"),
        ("Pro", 500, 200, "XTR"),
        ("Premium", 1200, 400, "XTR"),
    ]
    assert all(isinstance(p["id"], int) for p in packs)


def test_redeeming_a_coupon_answers_its_kind_credits_and_balance_once(
    client: TestClient[Any], container: Container, register: Register
) -> None:
    _coupon(container, "SPRING25", max_uses=1)
    ann, bob = register(), register()
    answer = _redeem(client, ann, "spring25")
    assert answer.status_code == 200
    assert answer.json() == {"kind": "coupon", "credits_awarded": 25, "balance": 125}
    again = _redeem(client, ann, "SPRING25")
    assert (again.status_code, again.json()["code"]) == (409, "conflict")
    exhausted = _redeem(client, bob, "SPRING25")
    assert exhausted.status_code == 409
    assert client.get("/v1/wallet", headers=bob.headers).json()["balance"] == 100


def test_a_gift_card_code_is_redeemed_for_its_credits(
    client: TestClient[Any], container: Container, user: Registered
) -> None:
    pack = container.list_credit_packs(limit=1).items[0]
    issued = container.buy_gift_card(pack.id or 0, STARS, purchaser_email="giver@example.com")
    container.confirm_payment(paid(issued.payment, "gift_1"))
    answer = _redeem(client, user, issued.code.lower())
    assert answer.status_code == 200
    assert answer.json() == {"kind": "gift_card", "credits_awarded": 100, "balance": 200}
    assert _redeem(client, user, issued.code).status_code == 409


def test_an_unknown_code_is_a_404_and_an_expired_one_a_409(
    client: TestClient[Any], container: Container, user: Registered
) -> None:
    _coupon(container, "OLD", valid_until=datetime.now(UTC) - timedelta(hours=1))
    unknown = _redeem(client, user, "NO-SUCH-CODE")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    expired = _redeem(client, user, "OLD")
    assert (expired.status_code, expired.json()["code"]) == (409, "conflict")
    assert client.get("/v1/wallet", headers=user.headers).json()["balance"] == 100


def test_a_retried_redeem_with_its_key_gets_the_first_answer(
    client: TestClient[Any], container: Container, user: Registered
) -> None:
    _coupon(container, "ONCE")
    first = _redeem(client, user, "ONCE", **{"Idempotency-Key": "r-1"})
    again = _redeem(client, user, "ONCE", **{"Idempotency-Key": "r-1"})
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json() == again.json()
    assert client.get("/v1/wallet", headers=user.headers).json()["balance"] == 125


@pytest.mark.parametrize("body", [{}, {"code": 12}, {"code": None}, ["ONCE"]])
def test_a_redeem_without_a_text_code_is_a_422(
    client: TestClient[Any], user: Registered, body: Any
) -> None:
    answer = client.post("/v1/wallet/redeem", json=body, headers=user.headers)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/wallet"),
        ("GET", "/v1/wallet/transactions"),
        ("POST", "/v1/wallet/redeem"),
        ("GET", "/v1/credit-packs"),
    ],
)
def test_every_wallet_route_needs_a_token(client: TestClient[Any], method: str, path: str) -> None:
    answer = client.request(method, path, json={"code": "X"})
    assert answer.status_code == 401
    assert answer.json()["code"] == "unauthorized"
