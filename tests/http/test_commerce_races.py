"""Races through the HTTP app on PostgreSQL (issue #20): a coupon with 5 uses raced by 20
users is redeemed exactly 5 times; one gift card raced by 8 users, exactly once."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from genmedia.adapters.sql.tables import coupon_redemptions, wallet_transactions
from genmedia.domain.coupons import Coupon, DiscountType
from genmedia.domain.purchases import CreditPack
from genmedia.entrypoints.container import Container
from genmedia.entrypoints.http.app import create_app
from tests.http.conftest import Registered, register_user
from tests.payments import SETTINGS, checkout_completed, stripe_headers
from tests.races import race

pytestmark = pytest.mark.integration

WELCOME = 100


@pytest.fixture
def http_settings() -> dict[str, Any]:
    return {**SETTINGS, "pool_size": 24}


@pytest.fixture
def client(postgres_container: Container) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(postgres_container)) as client:
        yield client


def _redeem_race(client: TestClient[Any], users: list[Registered], code: str) -> Counter[int]:
    def redeem(i: int) -> int:
        answer = client.post("/v1/wallet/redeem", json={"code": code}, headers=users[i].headers)
        return int(answer.status_code)

    outcomes = race(len(users), redeem)
    assert all(isinstance(o, int) for o in outcomes)
    return Counter(o for o in outcomes if isinstance(o, int))


def _count(container: Container, query: sa.Select[Any]) -> int:
    with container.engine().connect() as connection:
        return int(connection.execute(query).scalar_one())


def _balances(client: TestClient[Any], users: list[Registered]) -> list[int]:
    return sorted(client.get("/v1/wallet", headers=u.headers).json()["balance"] for u in users)


def test_a_coupon_with_five_uses_raced_by_twenty_users_is_redeemed_exactly_five_times(
    client: TestClient[Any], postgres_container: Container
) -> None:
    since = datetime.now(UTC) - timedelta(days=1)
    coupon = postgres_container.create_coupon(
        Coupon(code="RACE5", discount_type=DiscountType.CREDITS, discount_value=10,
               max_uses=5, valid_from=since)
    )  # fmt: skip
    users = [register_user(client) for _ in range(20)]

    assert _redeem_race(client, users, "race5") == Counter({200: 5, 409: 15})
    t = coupon_redemptions
    redeemed = sa.select(sa.func.count()).where(t.c.coupon_id == coupon.id)
    assert _count(postgres_container, redeemed) == 5
    entries = sa.select(sa.func.count()).where(wallet_transactions.c.kind == "coupon")
    assert _count(postgres_container, entries) == 5
    assert _balances(client, users) == [WELCOME] * 15 + [WELCOME + 10] * 5


def test_one_gift_card_raced_by_eight_users_is_redeemed_exactly_once(
    client: TestClient[Any], postgres_container: Container
) -> None:
    pack = postgres_container.create_credit_pack(
        CreditPack(name="Gift", credits=300, price=1999, currency="USD")
    )
    giver = register_user(client)
    body = {"credit_pack_id": pack.id}
    card = client.post("/v1/gift-cards", json=body, headers=giver.headers).json()
    paid = checkout_completed(card["reference"], "pi_gift_race", 1999, "USD")
    headers = stripe_headers(paid, int(time.time()))
    assert client.post("/v1/payments/stripe/webhook", content=paid, headers=headers).is_success
    users = [register_user(client) for _ in range(8)]

    assert _redeem_race(client, users, card["code"]) == Counter({200: 1, 409: 7})
    entries = sa.select(sa.func.count()).where(wallet_transactions.c.kind == "gift_card")
    assert _count(postgres_container, entries) == 1
    assert _balances(client, users) == [WELCOME] * 7 + [WELCOME + 300]
