"""Buying credit packs over HTTP and the Stripe and Telegram webhooks that confirm or refund
them (API.md, Wallet; SPEC WAL-4), on both databases."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from genmedia.domain.coupons import Coupon, DiscountType
from genmedia.domain.purchases import CreditPack
from genmedia.entrypoints.container import Container
from genmedia.entrypoints.http.app import create_app
from tests.http.conftest import Register, Registered, http_container
from tests.payments import (
    SETTINGS,
    STRIPE_SECRET,
    TELEGRAM_SECRET,
    charge_refunded,
    checkout_completed,
    stripe_headers,
    telegram_headers,
    telegram_update,
)

PURCHASE_FIELDS = {"id", "reference", "amount", "currency", "credits", "status"}


@pytest.fixture
def http_settings() -> dict[str, Any]:
    return {**SETTINGS, "vnd_per_credit": 250}


@pytest.fixture
def packs(container: Container) -> dict[str, int]:
    """A pack sold for dollars (Stripe) and one for stars (Telegram), by currency."""
    usd = container.create_credit_pack(
        CreditPack(name="Card", credits=300, price=1999, currency="USD")
    )
    xtr = container.create_credit_pack(
        CreditPack(name="Stars", credits=100, price=50, currency="XTR")
    )
    return {"USD": usd.id or 0, "XTR": xtr.id or 0}


def _buy(client: TestClient[Any], user: Registered, pack_id: int, **body: Any) -> Any:
    return client.post(
        "/v1/purchases", json={"credit_pack_id": pack_id, **body}, headers=user.headers
    )


def _stripe(client: TestClient[Any], body: bytes, at: int | None = None, **headers: str) -> Any:
    signed = {**stripe_headers(body, int(time.time()) if at is None else at), **headers}
    return client.post("/v1/payments/stripe/webhook", content=body, headers=signed)


def _telegram(client: TestClient[Any], body: bytes, secret: str = TELEGRAM_SECRET) -> Any:
    return client.post(
        "/v1/payments/telegram/webhook", content=body, headers=telegram_headers(secret)
    )


def _balance(client: TestClient[Any], user: Registered) -> int:
    return int(client.get("/v1/wallet", headers=user.headers).json()["balance"])


def _paid_by_stripe(client: TestClient[Any], purchase: dict[str, Any], intent: str) -> Any:
    body = checkout_completed(
        purchase["reference"], intent, purchase["amount"], purchase["currency"]
    )
    return _stripe(client, body)


def test_a_purchase_starts_pending_with_a_reference_for_the_checkout(
    client: TestClient[Any], user: Registered, packs: dict[str, int]
) -> None:
    answer = _buy(client, user, packs["USD"])
    assert answer.status_code == 201, answer.text
    data = answer.json()
    assert set(data) >= PURCHASE_FIELDS
    assert (data["amount"], data["currency"], data["credits"]) == (1999, "USD", 300)
    assert (data["status"], data["provider"]) == ("pending", "stripe")
    shown = client.get(f"/v1/purchases/{data['id']}", headers=user.headers)
    assert shown.json()["reference"] == data["reference"]


def test_another_users_purchase_is_not_found(
    client: TestClient[Any], register: Register, packs: dict[str, int]
) -> None:
    ann, bob = register(), register()
    purchase = _buy(client, ann, packs["XTR"]).json()
    answer = client.get(f"/v1/purchases/{purchase['id']}", headers=bob.headers)
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")


def test_a_purchase_is_refused_for_an_unknown_pack_a_bad_provider_or_a_credits_coupon(
    client: TestClient[Any], container: Container, user: Registered, packs: dict[str, int]
) -> None:
    since = datetime.now(UTC) - timedelta(days=1)
    container.create_coupon(
        Coupon(
            code="FREE25", discount_type=DiscountType.CREDITS, discount_value=25, valid_from=since
        )
    )
    assert _buy(client, user, 999_999).status_code == 404
    refused = _buy(client, user, packs["XTR"], provider="stripe")
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "provider")
    webhook = _buy(client, user, packs["XTR"], provider="webhook")
    assert (webhook.status_code, webhook.json()["errors"][0]["field"]) == (422, "provider")
    coupon = _buy(client, user, packs["XTR"], coupon_code="FREE25")
    assert (coupon.status_code, coupon.json()["errors"][0]["field"]) == (422, "coupon_code")


def test_a_discount_coupon_lowers_what_the_purchase_costs(
    client: TestClient[Any], container: Container, user: Registered, packs: dict[str, int]
) -> None:
    since = datetime.now(UTC) - timedelta(days=1)
    container.create_coupon(
        Coupon(
            code="TENOFF",
            discount_type=DiscountType.PERCENTAGE,
            discount_value=10,
            valid_from=since,
        )
    )
    data = _buy(client, user, packs["USD"], coupon_code="tenoff").json()
    assert (data["amount"], data["credits"]) == (1800, 300)


def test_a_retried_purchase_with_its_idempotency_key_is_the_same_purchase(
    client: TestClient[Any], user: Registered, packs: dict[str, int]
) -> None:
    headers = {**user.headers, "Idempotency-Key": "buy-1"}
    body = {"credit_pack_id": packs["USD"]}
    first = client.post("/v1/purchases", json=body, headers=headers)
    again = client.post("/v1/purchases", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()


def test_a_stripe_payment_credits_once_however_often_it_is_delivered_and_its_refund_claws_back(
    client: TestClient[Any], user: Registered, packs: dict[str, int]
) -> None:
    purchase = _buy(client, user, packs["USD"]).json()
    before = _balance(client, user)
    for _ in range(3):
        answer = _paid_by_stripe(client, purchase, "pi_once")
        assert answer.json() == {"received": True, "status": "paid"}
    assert _balance(client, user) == before + 300
    refund = charge_refunded("pi_once", 1999, "USD")
    for _ in range(2):
        assert _stripe(client, refund).json()["status"] == "refunded"
    assert _balance(client, user) == before
    shown = client.get(f"/v1/purchases/{purchase['id']}", headers=user.headers).json()
    assert shown["status"] == "refunded"
    ledger = client.get("/v1/wallet/transactions", headers=user.headers).json()["items"]
    bought = [e for e in ledger if e["kind"] == "purchase"]
    assert [e["status"] for e in bought] == ["refunded"]


def test_a_telegram_stars_payment_credits_once(
    client: TestClient[Any], user: Registered, packs: dict[str, int]
) -> None:
    purchase = _buy(client, user, packs["XTR"]).json()
    before = _balance(client, user)
    update = telegram_update(purchase["reference"], "tg_charge_1", 50)
    assert [_telegram(client, update).status_code for _ in range(2)] == [200, 200]
    assert _balance(client, user) == before + 100


def test_forged_stale_and_unsigned_deliveries_answer_401_and_change_nothing(
    client: TestClient[Any], user: Registered, packs: dict[str, int]
) -> None:
    purchase = _buy(client, user, packs["USD"]).json()
    body = checkout_completed(purchase["reference"], "pi_forged", 1999, "USD")
    before = _balance(client, user)
    answers = [
        _stripe(client, body, **stripe_headers(body, int(time.time()), "whsec_forged")),
        _stripe(client, body, at=int(time.time()) - 3600),
        client.post("/v1/payments/stripe/webhook", content=body),
        _telegram(client, telegram_update(purchase["reference"], "tg_x", 50), "forged"),
    ]
    assert [(a.status_code, a.json()["code"]) for a in answers] == [(401, "unauthorized")] * 4
    assert _balance(client, user) == before
    shown = client.get(f"/v1/purchases/{purchase['id']}", headers=user.headers).json()
    assert shown["status"] == "pending"


def test_an_unknown_reference_answers_400_and_a_wrong_amount_422_logged_without_secrets(
    client: TestClient[Any],
    user: Registered,
    packs: dict[str, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    purchase = _buy(client, user, packs["USD"]).json()
    before = _balance(client, user)
    unknown = _stripe(client, checkout_completed("pay_not_ours", "pi_u", 1999, "USD"))
    with caplog.at_level(logging.WARNING, logger="genmedia"):
        wrong = _stripe(client, checkout_completed(purchase["reference"], "pi_w", 999, "USD"))
    assert (unknown.status_code, unknown.json()["code"]) == (400, "malformed")
    assert (wrong.status_code, wrong.json()["errors"][0]["field"]) == (422, "amount")
    assert _balance(client, user) == before
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("pi_w" in m and "999" in m for m in warned)
    assert not any(STRIPE_SECRET in m or TELEGRAM_SECRET in m for m in warned)


def test_a_refund_delivered_before_its_payment_is_refused_until_the_payment_is_in(
    client: TestClient[Any], user: Registered, packs: dict[str, int]
) -> None:
    purchase = _buy(client, user, packs["USD"]).json()
    before = _balance(client, user)
    refund = charge_refunded("pi_early", 1999, "USD")
    early = _stripe(client, refund)
    assert (early.status_code, early.json()["code"]) == (409, "conflict")
    assert _paid_by_stripe(client, purchase, "pi_early").status_code == 200
    assert _balance(client, user) == before + 300
    assert _stripe(client, refund).status_code == 200
    assert _balance(client, user) == before


def test_an_unknown_provider_or_an_authentic_event_we_do_not_use_is_answered_without_effect(
    client: TestClient[Any], user: Registered
) -> None:
    other = _stripe(client, b'{"type": "customer.created", "data": {"object": {}}}')
    assert other.json() == {"received": True, "status": "ignored"}
    unknown = client.post("/v1/payments/paypal/webhook", content=b"{}")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")


def test_a_provider_without_a_secret_is_not_enabled(sqlite_url: str, tmp_path: Path) -> None:
    container = http_container(tmp_path / "home", sqlite_url)
    body = checkout_completed("pay_x", "pi_x", 1, "USD")
    try:
        with TestClient(create_app(container)) as client:
            answers = [
                client.post(
                    "/v1/payments/stripe/webhook", content=body, headers=stripe_headers(body, 0)
                ),
                client.post(
                    "/v1/payments/telegram/webhook", content=body, headers=telegram_headers()
                ),
            ]
    finally:
        container.shutdown_resources()
    assert [(a.status_code, a.json()["code"]) for a in answers] == [(404, "not_found")] * 2


def test_a_gift_card_is_pending_until_its_payment_then_redeemed_by_its_recipient(
    client: TestClient[Any], register: Register, packs: dict[str, int]
) -> None:
    giver, friend = register(), register()
    answer = client.post(
        "/v1/gift-cards",
        json={"credit_pack_id": packs["USD"], "recipient_email": "Friend@Example.com"},
        headers=giver.headers,
    )
    assert answer.status_code == 201, answer.text
    card = answer.json()
    assert (card["status"], card["credits"], card["amount"]) == ("pending", 300, 1999)
    redeem = {"code": card["code"]}
    early = client.post("/v1/wallet/redeem", json=redeem, headers=friend.headers)
    assert early.status_code == 409
    purchase = {"reference": card["reference"], "amount": 1999, "currency": "USD"}
    assert _paid_by_stripe(client, purchase, "pi_gift").json()["status"] == "paid"
    before = _balance(client, friend)
    redeemed = client.post("/v1/wallet/redeem", json=redeem, headers=friend.headers)
    assert redeemed.json()["credits_awarded"] == 300
    assert _balance(client, friend) == before + 300


def test_credit_packs_are_valued_at_the_configured_vnd_rate(
    client: TestClient[Any], user: Registered, packs: dict[str, int]
) -> None:
    items = client.get("/v1/credit-packs", headers=user.headers).json()["items"]
    assert {(i["credits"], i["value_vnd"]) for i in items} == {(300, 75_000), (100, 25_000)}
