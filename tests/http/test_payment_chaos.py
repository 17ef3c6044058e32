"""Payment chaos (issue #20): 50 purchases of 3 users, every Stripe and Telegram webhook
delivered 1–4 times in random order from 16 threads through the HTTP app on PostgreSQL, with
forged and stale deliveries mixed in; then refunds of 10 of them, also duplicated. The ledger
is exactly what was paid minus what was refunded, and no bad delivery changed anything."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from genmedia.adapters.sql.tables import wallet_transactions
from genmedia.domain.purchases import CreditPack
from genmedia.entrypoints.container import Container
from genmedia.entrypoints.http.app import create_app
from tests.http.conftest import Registered, register_user
from tests.payments import (
    SETTINGS,
    charge_refunded,
    checkout_completed,
    stripe_headers,
    telegram_headers,
    telegram_update,
)

pytestmark = pytest.mark.integration

PURCHASES, NEVER_PAID, REFUNDED, THREADS = 50, 5, 10, 16
FORGED, STALE = 0.10, 0.05
WELCOME = 100
PACKS = [("Card S", 300, 1999, "USD"), ("Card L", 1000, 4999, "USD"), ("Stars", 100, 50, "XTR")]


@attrs.frozen
class Delivery:
    """One webhook call: `good` ones must be applied, the others refused with 401."""

    provider: str
    body: bytes
    kind: str  # good, forged or stale
    secret: str | None = None  # a Stripe secret or Telegram token other than ours
    signed: bytes | None = None  # what the signature is over, when not the body sent

    def headers(self) -> dict[str, str]:
        """Signed now (or 301 s to an hour ago when stale), just before it is sent."""
        theirs = [self.secret] if self.secret else []
        if self.provider == "telegram":
            return telegram_headers(*theirs)
        at = int(time.time()) - (301 + len(self.body) % 3600 if self.kind == "stale" else 0)
        return stripe_headers(self.signed or self.body, at, *theirs)


@pytest.fixture
def http_settings() -> dict[str, Any]:
    return {**SETTINGS, "pool_size": THREADS + 4}


@pytest.fixture
def client(postgres_container: Container) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(postgres_container)) as client:
        yield client


def _buy(client: TestClient[Any], user: Registered, pack_id: int) -> dict[str, Any]:
    answer = client.post("/v1/purchases", json={"credit_pack_id": pack_id}, headers=user.headers)
    assert answer.status_code == 201, answer.text
    return {**answer.json(), "user": user.id}


def _paid(purchase: dict[str, Any]) -> Delivery:
    reference, amount, number = purchase["reference"], purchase["amount"], purchase["id"]
    if purchase["currency"] == "XTR":
        return Delivery("telegram", telegram_update(reference, f"tg_{number}", amount), "good")
    body = checkout_completed(reference, f"pi_{number}", amount, purchase["currency"])
    return Delivery("stripe", body, "good")


def _refund(purchase: dict[str, Any]) -> Delivery:
    amount, number = purchase["amount"], purchase["id"]
    if purchase["currency"] == "XTR":
        body = telegram_update(purchase["reference"], f"tg_{number}", amount, "refunded_payment")
        return Delivery("telegram", body, "good")
    return Delivery("stripe", charge_refunded(f"pi_{number}", amount, purchase["currency"]), "good")


def _forged(delivery: Delivery, rng: random.Random) -> Delivery:
    """The delivery under another secret, or (Stripe) with its body changed after signing."""
    if delivery.provider == "stripe" and rng.random() < 0.5:
        changed = delivery.body.replace(b'"pi_', b'"pi_x', 1)
        return attrs.evolve(delivery, kind="forged", body=changed, signed=delivery.body)
    return attrs.evolve(delivery, kind="forged", secret=f"forged-{rng.randrange(10**6)}")


def _chaos(goods: list[Delivery], decoys: list[Delivery], rng: random.Random) -> list[Delivery]:
    """Each good delivery 1–4 times, with 10 % forged and 5 % stale ones, shuffled."""
    calls = [d for d in goods for _ in range(rng.randint(1, 4))]
    total = len(calls) / (1 - FORGED - STALE)
    signed = [d for d in decoys if d.provider == "stripe"]
    calls += [_forged(rng.choice(decoys), rng) for _ in range(round(total * FORGED))]
    calls += [attrs.evolve(rng.choice(signed), kind="stale") for _ in range(round(total * STALE))]
    rng.shuffle(calls)
    return calls


def _send(client: TestClient[Any]) -> Callable[[Delivery], tuple[str, int]]:
    def send(delivery: Delivery) -> tuple[str, int]:
        url = f"/v1/payments/{delivery.provider}/webhook"
        answer = client.post(url, content=delivery.body, headers=delivery.headers())
        return delivery.kind, answer.status_code

    return send


def _deliver(client: TestClient[Any], calls: list[Delivery]) -> Counter[tuple[str, int]]:
    with ThreadPoolExecutor(THREADS) as pool:
        return Counter(pool.map(_send(client), calls))


def _ledger(container: Container, user_id: int) -> list[sa.Row[Any]]:
    t = wallet_transactions
    query = sa.select(t).where(t.c.user_id == user_id).order_by(t.c.id)
    with container.engine().connect() as connection:
        return list(connection.execute(query))


def _assert_chain(entries: list[sa.Row[Any]], balance: int) -> None:
    before = 0
    for entry in entries:
        sign = 1 if entry.type == "credit" else -1
        assert entry.balance_before == before
        assert entry.balance_after == before + sign * entry.amount
        before = entry.balance_after
    assert before == balance


def test_payment_chaos_credits_each_charge_once_and_refunds_claw_back_once(
    client: TestClient[Any], postgres_container: Container
) -> None:
    rng = random.Random(20)
    users = [register_user(client) for _ in range(3)]
    packs = [
        postgres_container.create_credit_pack(CreditPack(name=n, credits=c, price=p, currency=cur))
        for n, c, p, cur in PACKS
    ]
    bought = [
        _buy(client, rng.choice(users), rng.choice(packs).id or 0)
        for _ in range(PURCHASES + NEVER_PAID)
    ]
    paid = bought[NEVER_PAID:]
    refunded = rng.sample(paid, REFUNDED)
    kept = [p for p in paid if p not in refunded]

    # Payments; decoys also try to pay the never-paid ones and to refund paid ones.
    decoys = [_paid(p) for p in bought] + [_refund(p) for p in kept]
    first = _deliver(client, _chaos([_paid(p) for p in paid], decoys, rng))
    # Refunds, also duplicated, with decoys of payments and refunds again.
    second = _deliver(client, _chaos([_refund(p) for p in refunded], decoys, rng))

    for outcome in (first, second):
        assert {status for (kind, status) in outcome if kind == "good"} == {200}
        assert {status for (kind, status) in outcome if kind != "good"} == {401}
        assert {kind for kind, _ in outcome} == {"good", "forged", "stale"}
    for user in users:
        mine = [p for p in paid if p["user"] == user.id]
        expected = WELCOME + sum(p["credits"] for p in mine if p not in refunded)
        balance = client.get("/v1/wallet", headers=user.headers).json()["balance"]
        entries = _ledger(postgres_container, user.id)
        assert balance == expected
        _assert_chain(entries, balance)
        kinds = Counter(e.kind for e in entries)
        assert kinds["purchase"] == len(mine)
        assert kinds["refund"] == len([p for p in mine if p in refunded])
    statuses = Counter(_status(client, users, p) for p in bought)
    assert statuses == Counter({"paid": len(kept), "refunded": REFUNDED, "pending": NEVER_PAID})


def _status(client: TestClient[Any], users: list[Registered], purchase: dict[str, Any]) -> str:
    owner = next(u for u in users if u.id == purchase["user"])
    answer = client.get(f"/v1/purchases/{purchase['id']}", headers=owner.headers)
    return str(answer.json()["status"])
